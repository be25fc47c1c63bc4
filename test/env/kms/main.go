// Runs local-kms's request handler on a loopback address. Upstream's main listens on every
// interface (":PORT") and has no bind option, so this main opens the listener itself; it also
// seeds AES keys and aliases from a YAML file in upstream's seed format (Keys.Symmetric.Aes and
// Aliases, the only parts the test environment uses).
package main

import (
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"

	"github.com/nsmithuk/local-kms/src"
	"github.com/nsmithuk/local-kms/src/cmk"
	"github.com/nsmithuk/local-kms/src/config"
	"github.com/nsmithuk/local-kms/src/data"
	"gopkg.in/yaml.v2"
)

type seedFile struct {
	Keys struct {
		Symmetric struct {
			Aes []cmk.AesKey `yaml:"Aes"`
		} `yaml:"Symmetric"`
	} `yaml:"Keys"`
	Aliases []data.Alias `yaml:"Aliases"`
}

// env returns an environment variable or a default.
func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func main() {
	// The same variables as upstream's main, plus KMS_LISTEN for the address.
	config.AWSAccountId = env("KMS_ACCOUNT_ID", "111122223333")
	config.AWSRegion = env("KMS_REGION", "eu-west-1")
	dataPath, err := filepath.Abs(env("KMS_DATA_PATH", "kms-data"))
	if err != nil {
		log.Fatal(err)
	}
	config.DatabasePath = dataPath
	listen := env("KMS_LISTEN", "127.0.0.1:0")

	db := data.NewDatabase(config.DatabasePath)
	defer db.Close()
	if path := os.Getenv("KMS_SEED_PATH"); path != "" {
		if err := seed(db, path); err != nil {
			log.Fatalf("seed %s: %v", path, err)
		}
	}

	ln, err := net.Listen("tcp", listen)
	if err != nil {
		log.Fatal(err)
	}
	// The port opens only once the seed is stored, so a request that resolves an alias proves both.
	fmt.Printf("local-kms (%s, account %s) listening on %s\n", config.AWSRegion, config.AWSAccountId, ln.Addr())
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { src.HandleRequest(w, r, db) })
	log.Fatal(http.Serve(ln, mux))
}

// seed stores every key and alias of the file; the environment starts from an empty data folder,
// so there is nothing to merge with.
func seed(db *data.Database, path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	// Keys take their ARN from config.AWSRegion while being parsed, so config is set before this.
	var s seedFile
	if err := yaml.UnmarshalStrict(raw, &s); err != nil {
		return err
	}
	for i := range s.Keys.Symmetric.Aes {
		if err := db.SaveKey(&s.Keys.Symmetric.Aes[i]); err != nil {
			return err
		}
	}
	for i := range s.Aliases {
		s.Aliases[i].AliasArn = config.ArnPrefix() + s.Aliases[i].AliasName
		if err := db.SaveAlias(&s.Aliases[i]); err != nil {
			return err
		}
	}
	fmt.Printf("seeded %d keys and %d aliases\n", len(s.Keys.Symmetric.Aes), len(s.Aliases))
	return nil
}

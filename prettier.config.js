// Formatting, checked by `npm run test:unit` (`npm run format` rewrites). The options follow the
// style the code was written in, so that formatting it changed as few lines as possible: single
// quotes and trailing commas everywhere, and 160 columns, which 98 % of the lines already kept
// (ESLint's max-len is the same number). YAML keeps double quotes, as Kubernetes manifests do.
/** @type {import('prettier').Config} */
export default {
  printWidth: 160,
  singleQuote: true,
  trailingComma: 'all',
  arrowParens: 'always',
  overrides: [{ files: ['*.yaml', '*.yml'], options: { singleQuote: false } }],
};

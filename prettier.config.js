// Formatting, checked by `npm run test:unit` (`npm run format` rewrites). The options follow the
// style the code was written in: single quotes and trailing commas everywhere, and 140 columns
// (ESLint's max-len is the same number, and also holds comments, which Prettier does not wrap).
// YAML keeps double quotes, as Kubernetes manifests do.
/** @type {import('prettier').Config} */
export default {
  printWidth: 140,
  singleQuote: true,
  trailingComma: 'all',
  arrowParens: 'always',
  overrides: [{ files: ['*.yaml', '*.yml'], options: { singleQuote: false } }],
};

// The TypeScript front end and its fixes as one module: built into dist/typescript.js, which the server
// and the CLI load the first time they meet a TypeScript or JavaScript file.
export { buildTypeScriptModel } from './frontend';
export { TypeScriptRefactorer } from './refactor';
export { selectAndParseTypeScript } from './prefilter';

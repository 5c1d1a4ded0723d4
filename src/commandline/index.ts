/** What every room's commands share: the `serve` parent command and option helpers. */
export { collect, dataDirOption } from './options.js';
export { loginOptions, resolveLogin, type LoginFlags } from './login.js';
export { serveCommand } from './serve.js';

/**
 * @module codeStore
 * The helper app's name for `common/codeStore` (the admin center's device page keeps the
 * code of a session it starts there too, so the helper app it opens can show it).
 */
export { forgetCode, loadCode, saveCode } from '../common/codeStore';

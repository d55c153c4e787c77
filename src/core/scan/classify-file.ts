import type { FileKind, ModelInfo, NativeInfo } from './bundle-index.js';
import { parseNativeHeader } from './parse-native-header.js';
import { sniffModel } from './sniff-model.js';

/** What a file's first bytes revealed (cacheable: the scan stores it instead of re-reading). */
export interface HeaderFacts {
  native?: NativeInfo;
  model?: ModelInfo['format'];
}

/** The kind of a file and why. */
export interface FileClassification {
  kind: FileKind;
  /** One short phrase that explains the decision, e.g. `extension .d.ts`, `ELF header`. */
  reason: string;
  native?: NativeInfo;
  model?: ModelInfo;
}

/**
 * Extensions whose files never need a header read: text formats, and binary formats that are
 * never native code or a model (images, fonts). Anything else (including no extension) is sniffed,
 * so a renamed binary is still caught.
 */
const NO_HEADER_EXT = new Set(
  (
    'js mjs cjs jsx ts mts cts tsx json json5 jsonc map md markdown mkd mdown rst adoc asciidoc txt py pyi pyw pyc pyo ' +
    'html htm css scss sass less styl yml yaml toml ini cfg conf xml svg csv tsv sh bash zsh fish bat cmd ps1 ' +
    'h hh hpp hxx c cc cpp cxx go rs java kt rb php pl pm lua coffee flow lock log patch diff gyp gypi mk cmake ' +
    'png jpg jpeg gif ico webp bmp tif tiff woff woff2 ttf eot otf properties tmpl hbs ejs pug vue svelte graphql gql proto ' +
    'zip tgz gz tar whl jar bz2 xz 7z rar egg d.ts d.mts d.cts'
  ).split(' '),
);

const SOURCE_EXT = new Set(['js', 'mjs', 'cjs', 'jsx', 'ts', 'mts', 'cts', 'tsx', 'json', 'py', 'pyw', 'wasm']);
const DOC_EXT = new Set(['md', 'markdown', 'mkd', 'mdown', 'rst', 'adoc', 'asciidoc']);
const ARCHIVE_EXT = new Set(['zip', 'tgz', 'gz', 'tar', 'whl', 'jar', 'bz2', 'xz', '7z', 'rar', 'egg']);
const NATIVE_EXT = new Set(['node', 'so', 'dylib', 'dll', 'exe']);
// A Map, not an object: an extension such as `.constructor` must not find Object's prototype.
const MODEL_EXT = new Map<string, ModelInfo['format']>([
  ['onnx', 'onnx'],
  ['ort', 'onnx'],
  ['safetensors', 'safetensors'],
  ['gguf', 'gguf'],
  ['tflite', 'tflite'],
  ['pt', 'pytorch'],
  ['pth', 'pytorch'],
  ['ckpt', 'pytorch'],
  ['h5', 'other'],
  ['keras', 'other'],
]);

const DOC_NAME = /^(readme|changelog|changes|history|license|licence|notice|authors|contributors|contributing|copying|copyright|code_of_conduct|security|support|funding|upgrading|thirdpartynotices?)([._-].*)?$/i;
const TEST_DIRS = new Set(['test', 'tests', '__tests__', '__mocks__', '__snapshots__']);
const TEST_FILE = /(\.(test|spec)\.[cm]?[jt]sx?$)|(^test_.*\.py$)|(_test\.py$)|(^conftest\.py$)/;
const EXAMPLE_DIRS = new Set(['example', 'examples', 'samples']);
const DOC_DIRS = new Set(['doc', 'docs', 'man']);
const CONFIG_DIRS = new Set(['.github', '.circleci', '.vscode', '.idea', '.husky', '.devcontainer', '.changeset', '.gitlab']);
const CONFIG_NAME =
  /^(\.travis\.yml|\.gitlab-ci\.yml|\.?appveyor\.yml|azure-pipelines\.yml|circle\.yml|\.drone\.yml|\.eslintrc.*|\.eslintignore|eslint\.config\.[cm]?js|\.prettierrc.*|prettier\.config\.[cm]?js|\.prettierignore|\.editorconfig|\.npmignore|\.gitignore|\.gitattributes|\.gitmodules|\.babelrc.*|babel\.config\.[cm]?js(on)?|\.nycrc.*|\.jshintrc|\.jscsrc|\.jshintignore|tsconfig(\..*)?\.json|jsconfig\.json|tslint\.json|\.mocharc.*|jest\.config\..*|karma\.conf\..*|vitest\.config\..*|\.browserslistrc|\.npmrc|\.nvmrc|\.node-version|\.yarnrc.*|\.yarn-metadata\.json|makefile|gulpfile\.[cm]?js|gruntfile\.[cm]?js|gemfile|rakefile|\.coveragerc|tox\.ini|setup\.cfg|\.flake8|\.pylintrc|\.pre-commit-config\.yaml|\.dockerignore|dockerfile|\.zuul\.yml|\.coveralls\.yml|\.codecov\.yml|renovate\.json|\.releaserc.*|\.c8rc.*|biome\.json)$/i;
const MODEL_DIR = /(^|\/)(models?|weights|checkpoints?|onnx)(\/|$)/i;
const MODEL_BIN_NAME = /(^|[._-])(model|weights|pytorch_model|tf_model|flax_model|checkpoint|ggml)([._-]|$)/i;

/**
 * The extension that decides a file's kind (lower case), with `d.ts` and `onnx.data` as double
 * extensions. Takes a file name or a whole path (only its last segment counts), so hot loops need
 * not slice the name out first.
 */
export function fileExtension(name: string): string {
  const start = name.lastIndexOf('/') + 1;
  const dot = name.lastIndexOf('.');
  if (dot <= start) return '';
  const ext = name.slice(dot + 1).toLowerCase();
  if (ext === 'ts' || ext === 'mts' || ext === 'cts') {
    if (name.length - start > ext.length + 3 && name.slice(dot - 2, dot).toLowerCase() === '.d') return `d.${ext}`;
  } else if (ext === 'data' && dot - 5 >= start && name.slice(dot - 5, dot).toLowerCase() === '.onnx') return 'onnx.data';
  else if (ext === 'onnx_data') return 'onnx_data';
  return ext;
}

/** Whether classifying this path needs its first bytes (see NO_HEADER_EXT). */
export function needsHeader(path: string): boolean {
  return extensionNeedsHeader(fileExtension(path));
}

/** `needsHeader` for an extension already taken with `fileExtension`. */
export function extensionNeedsHeader(ext: string): boolean {
  return !NO_HEADER_EXT.has(ext);
}

/** Decodes header bytes into the facts classification uses. */
export function sniffHeader(header: Buffer): HeaderFacts {
  const native = parseNativeHeader(header);
  if (native) return { native };
  const model = sniffModel(header);
  return model ? { model } : {};
}

/**
 * Decides a file's kind from its path and, when given, its first bytes (or facts already read from
 * them). Order: header (native binary, model signature) → unambiguous extensions (typings,
 * sourcemap, bytecode, model, archive) → test and example folders → CI/tool config names → code
 * extensions (so `yaml/dist/doc/*.js` and `licensemanager.js` stay source) → doc extensions and
 * doc names → anything inside a `doc`/`docs` folder → other. Pure.
 */
export function classifyFile(path: string, header?: Buffer | HeaderFacts): FileClassification {
  const facts = Buffer.isBuffer(header) ? sniffHeader(header) : (header ?? {});
  const slash = path.lastIndexOf('/');
  const name = slash === -1 ? path : path.slice(slash + 1);
  const dirPath = slash === -1 ? '' : path.slice(0, slash);
  const ext = fileExtension(name);
  const lowerName = name.toLowerCase();

  if (facts.native) {
    const native = lowerName.endsWith('.node') ? { ...facts.native, type: 'node-addon' as const } : facts.native;
    return { kind: 'native', reason: `${native.format === 'macho' ? 'Mach-O' : native.format.toUpperCase()} header`, native };
  }
  if (ext === 'd.ts' || ext === 'd.mts' || ext === 'd.cts' || ext === 'pyi' || lowerName === 'py.typed') return { kind: 'typings', reason: `extension .${ext || name}` };
  if (ext === 'map') return { kind: 'sourcemap', reason: 'extension .map' };
  if (ext === 'pyc' || ext === 'pyo') return { kind: 'python-bytecode', reason: `extension .${ext}` };
  if (ext === 'onnx.data' || ext === 'onnx_data') return { kind: 'model', reason: `extension .${ext}`, model: { format: 'onnx-external-data' } };
  const byExt = MODEL_EXT.get(ext);
  if (byExt) return { kind: 'model', reason: `extension .${ext}`, model: { format: facts.model ?? byExt } };
  if (facts.model) return { kind: 'model', reason: `${facts.model} signature`, model: { format: facts.model } };
  if ((ext === 'bin' || ext === 'pb' || ext === 'msgpack') && (MODEL_BIN_NAME.test(name) || MODEL_DIR.test(dirPath))) {
    return { kind: 'model', reason: `.${ext} with a model-like name`, model: { format: ext === 'bin' && /pytorch/i.test(name) ? 'pytorch' : 'other' } };
  }
  if (ARCHIVE_EXT.has(ext)) return { kind: 'archive', reason: `extension .${ext}` };

  const special = dirPath ? specialDirsOf(dirPath) : NO_SPECIAL_DIRS;
  if (special.test) return { kind: 'tests', reason: `inside ${special.test}/` };
  if (TEST_FILE.test(lowerName)) return { kind: 'tests', reason: 'test file name' };
  if (special.example) return { kind: 'examples', reason: `inside ${special.example}/` };
  if (special.config) return { kind: 'config', reason: `inside ${special.config}/` };
  if (CONFIG_NAME.test(name)) return { kind: 'config', reason: 'tool or CI config name' };

  if (SOURCE_EXT.has(ext)) return { kind: 'source', reason: `extension .${ext}` };
  if (DOC_EXT.has(ext)) return { kind: 'docs', reason: `extension .${ext}` };
  if (DOC_NAME.test(name)) return { kind: 'docs', reason: 'documentation file name' };
  if (special.doc) return { kind: 'docs', reason: `inside ${special.doc}/` };
  if (NATIVE_EXT.has(ext)) return { kind: 'other', reason: `extension .${ext} but no native header` };
  return { kind: 'other', reason: ext ? `extension .${ext}` : 'no extension' };
}

/** The first folder of each special kind on a path, as written. */
interface SpecialDirs {
  test?: string;
  example?: string;
  config?: string;
  doc?: string;
}

const NO_SPECIAL_DIRS: SpecialDirs = {};

/**
 * One pass over a file's folders (this runs for every file of every scan: it lowercases the path
 * once instead of every segment for every category).
 */
// Files arrive in path order, so consecutive calls mostly share a folder: remember the last one.
let lastDirPath: string | undefined;
let lastSpecial: SpecialDirs = NO_SPECIAL_DIRS;
function specialDirsOf(dirPath: string): SpecialDirs {
  if (dirPath !== lastDirPath) {
    lastSpecial = specialDirs(dirPath);
    lastDirPath = dirPath;
  }
  return lastSpecial;
}

function specialDirs(dirPath: string): SpecialDirs {
  const lower = dirPath.toLowerCase();
  const found: SpecialDirs = {};
  let start = 0;
  while (start <= lower.length) {
    let end = lower.indexOf('/', start);
    if (end === -1) end = lower.length;
    const seg = lower.slice(start, end);
    if (!found.test && TEST_DIRS.has(seg)) found.test = dirPath.slice(start, end);
    else if (!found.example && EXAMPLE_DIRS.has(seg)) found.example = dirPath.slice(start, end);
    else if (!found.config && CONFIG_DIRS.has(seg)) found.config = dirPath.slice(start, end);
    else if (!found.doc && DOC_DIRS.has(seg)) found.doc = dirPath.slice(start, end);
    start = end + 1;
  }
  return found;
}

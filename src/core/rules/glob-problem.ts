import picomatch from 'picomatch';
import { expandGlobVariables, unknownGlobVariables } from './glob-variables.js';

/** What is wrong with a glob, if anything: `error` stops the rule set from loading. */
export interface GlobProblem {
  severity: 'error' | 'warning';
  message: string;
}

/**
 * Checks a rule glob before it is compiled. picomatch accepts nearly any string and turns
 * mistakes into patterns that silently match nothing, so the usual slips are caught here.
 */
export function globProblem(glob: string): GlobProblem | undefined {
  const unknown = unknownGlobVariables(glob);
  if (unknown.length > 0) {
    return { severity: 'error', message: `unknown variable \${${unknown[0]}}; use \${nodeArch}, \${unameArch} or \${lambdaArch}` };
  }
  if (glob.startsWith('/')) return { severity: 'error', message: `"${glob}" starts with "/"; globs are relative to the scope root, so drop the leading slash` };
  if (glob.split('/').includes('..')) return { severity: 'error', message: `"${glob}" contains "..", which can never match a bundle path` };
  if (glob.endsWith('/')) {
    return { severity: 'error', message: `"${glob}" ends with "/" and so matches no file; write "${glob}**" for everything inside the folder` };
  }
  if (glob.startsWith('!') && !glob.startsWith('!(')) {
    return { severity: 'error', message: `"${glob}" is a negated glob; list it in excludeGlobs instead` };
  }
  try {
    // strictBrackets turns unbalanced brackets and braces into errors instead of literal text.
    picomatch.makeRe(expandGlobVariables(glob, 'x86_64'), { dot: true, strictBrackets: true });
  } catch (err) {
    return { severity: 'error', message: `invalid glob "${glob}": ${(err as Error).message}` };
  }
  if (glob.includes('\\')) {
    return { severity: 'warning', message: `"${glob}" contains a backslash, which escapes the next character; paths always use "/"` };
  }
  return undefined;
}

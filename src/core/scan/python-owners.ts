/**
 * Which Python distribution owns each file. A Python root is a `site-packages`/`dist-packages`
 * folder, or any folder that directly holds `*.dist-info`/`*.egg-info` folders (a Lambda Python
 * bundle puts its packages at the zip root; a layer under `python/`). Inside a root, a file listed
 * in a distribution's `RECORD` belongs to it; other files (e.g. `__pycache__` written later) go by
 * their top-level folder or module, as mapped by `RECORD` and `top_level.txt`; in a
 * `site-packages` folder an unmapped top-level folder names itself. Pure: metadata contents are
 * passed in.
 */

const META_DIR = /^(.+?)(-[^/]*)?\.(dist-info|egg-info)$/;

/** Whether a path is a metadata file the owner mapping needs to read. */
export function isPackageMetadata(path: string): boolean {
  // Called for every file of every scan: a cheap suffix test first, the regexes only for candidates.
  if (!path.endsWith('RECORD') && !path.endsWith('top_level.txt') && !path.endsWith('installed-files.txt')) return false;
  return /(^|\/)[^/]+\.dist-info\/(RECORD|top_level\.txt)$/.test(path) || /(^|\/)[^/]+\.egg-info\/(installed-files\.txt|top_level\.txt)$/.test(path);
}

/** Distribution name from a metadata folder name (`numpy-1.26.4.dist-info` → `numpy`). */
export function distributionName(metaDir: string): string | undefined {
  return META_DIR.exec(metaDir)?.[1];
}

/** First column of each RECORD line (CSV; paths with commas are quoted). */
export function parseRecordPaths(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line) continue;
    if (line.startsWith('"')) {
      const end = line.indexOf('",');
      out.push(line.slice(1, end === -1 ? undefined : end).replace(/""/g, '"'));
    } else {
      const comma = line.indexOf(',');
      out.push(comma === -1 ? line : line.slice(0, comma));
    }
  }
  return out;
}

function joinRel(root: string, rel: string): string | undefined {
  const parts = root === '' ? [] : root.split('/');
  for (const seg of rel.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(seg);
  }
  return parts.join('/');
}

/** Builds a resolver from all file paths and the contents of their metadata files. */
export function pythonOwners(paths: readonly string[], metadata: ReadonlyMap<string, string>): (path: string) => string | undefined {
  if (!paths.some((p) => p.includes('-packages/') || p.includes('.dist-info/') || p.includes('.egg-info/'))) return () => undefined;
  const roots = new Set<string>();
  const sitePackages = new Set<string>();
  const metaDirs = new Map<string, string>(); // metadata folder path → distribution
  for (const p of paths) {
    const seg = p.split('/');
    for (let i = 0; i < seg.length - 1; i++) {
      const s = seg[i] as string;
      if (s === 'site-packages' || s === 'dist-packages') {
        const root = seg.slice(0, i + 1).join('/');
        roots.add(root);
        sitePackages.add(root);
      } else if (s.endsWith('.dist-info') || s.endsWith('.egg-info')) {
        const dist = distributionName(s);
        if (!dist) continue;
        roots.add(seg.slice(0, i).join('/'));
        metaDirs.set(seg.slice(0, i + 1).join('/'), dist);
      }
    }
  }
  if (roots.size === 0) return () => undefined;
  const byFile = new Map<string, string>();
  const byTop = new Map<string, string>(); // `<root>\0<top-level name>` → distribution
  for (const [dir, dist] of metaDirs) {
    const root = dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : '';
    for (const name of ['RECORD', 'installed-files.txt']) {
      const text = metadata.get(`${dir}/${name}`);
      if (text === undefined) continue;
      const base = name === 'RECORD' ? root : dir; // installed-files.txt is relative to the egg-info folder
      for (const rel of parseRecordPaths(text)) {
        const full = joinRel(base, rel);
        if (full === undefined) continue;
        if (!byFile.has(full)) byFile.set(full, dist);
        const top = (root === '' ? full : full.slice(root.length + 1)).split('/')[0] as string;
        if (full.startsWith(root === '' ? '' : `${root}/`) && top && !top.endsWith('-info')) {
          const key = `${root}\0${top.replace(/\.py$/, '')}`;
          if (!byTop.has(key)) byTop.set(key, dist);
        }
      }
    }
    const tops = metadata.get(`${dir}/top_level.txt`);
    for (const t of tops?.split(/\r?\n/) ?? []) if (t.trim()) byTop.set(`${root}\0${t.trim()}`, byTop.get(`${root}\0${t.trim()}`) ?? dist);
  }
  const sortedRoots = [...roots].sort((a, b) => b.length - a.length);
  return (path: string): string | undefined => {
    const listed = byFile.get(path);
    if (listed) return listed;
    const root = sortedRoots.find((r) => r === '' || path.startsWith(`${r}/`));
    if (root === undefined) return undefined;
    const rest = root === '' ? path : path.slice(root.length + 1);
    const seg = rest.split('/');
    if (seg.length === 0) return undefined;
    const first = seg[0] as string;
    const meta = metaDirs.get(root === '' ? first : `${root}/${first}`);
    if (meta) return meta;
    // Top-level bytecode: __pycache__/six.cpython-311.pyc belongs with six.py.
    const top = first === '__pycache__' && seg.length === 2 ? (seg[1] as string).split('.')[0] as string : first.replace(/\.py$/, '');
    const mapped = byTop.get(`${root}\0${top}`);
    if (mapped) return mapped;
    if (sitePackages.has(root) && seg.length > 1 && first !== '__pycache__') return first;
    return undefined;
  };
}

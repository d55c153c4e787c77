import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNativeHeader } from '../../../src/core/scan/parse-native-header.js';
import { readNativeInfo } from '../../../src/core/scan/read-native-info.js';
import { craftElf } from './craft-elf.js';

const ORT = 'node_modules/onnxruntime-node/bin/napi-v6';
const head = (path: string, n = 4096): Buffer => readFileSync(path).subarray(0, n);
const fileReader = (data: Buffer) => async (o: number, l: number) => data.subarray(o, o + l);

describe('parseNativeHeader on real binaries', () => {
  it('reads /bin/ls as a glibc x64 ELF executable', () => {
    expect(parseNativeHeader(head('/bin/ls'))).toMatchObject({ format: 'elf', os: 'linux', arch: 'x64', bits: 64, type: 'executable', libc: 'glibc' });
  });

  it("reads onnxruntime-node's ELF, Mach-O and PE binaries", () => {
    expect(parseNativeHeader(head(`${ORT}/linux/x64/onnxruntime_binding.node`))).toMatchObject({ format: 'elf', arch: 'x64', bits: 64, type: 'shared-library' });
    expect(parseNativeHeader(head(`${ORT}/linux/arm64/libonnxruntime.so.1`))).toMatchObject({ format: 'elf', arch: 'arm64' });
    expect(parseNativeHeader(head(`${ORT}/darwin/arm64/libonnxruntime.1.dylib`))).toMatchObject({ format: 'macho', os: 'darwin', arch: 'arm64', bits: 64, type: 'shared-library' });
    expect(parseNativeHeader(head(`${ORT}/darwin/arm64/onnxruntime_binding.node`))).toMatchObject({ format: 'macho', arch: 'arm64' });
    expect(parseNativeHeader(head(`${ORT}/win32/x64/onnxruntime.dll`))).toEqual({ format: 'pe', os: 'win32', arch: 'x64', bits: 64, type: 'shared-library' });
    expect(parseNativeHeader(head(`${ORT}/win32/arm64/DirectML.dll`))).toMatchObject({ format: 'pe', arch: 'arm64', bits: 64 });
  });

  it('finds glibc through DT_NEEDED in a shared library without an interpreter', async () => {
    const so = readFileSync(`${ORT}/linux/x64/libonnxruntime.so.1`);
    expect(parseNativeHeader(so.subarray(0, 4096))?.libc).toBeUndefined();
    expect(await readNativeInfo(so.subarray(0, 4096), fileReader(so))).toMatchObject({ arch: 'x64', libc: 'glibc' });
    expect((await readNativeInfo(so.subarray(0, 4096), undefined))?.libc).toBeUndefined();
  });

  it('ignores text, Java class files and truncated headers', () => {
    expect(parseNativeHeader(Buffer.from('#!/bin/sh\necho hi\n'))).toBeUndefined();
    const javaClass = Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0x00, 0x00, 0x00, 0x34, 0, 0, 0, 0]);
    expect(parseNativeHeader(javaClass)).toBeUndefined();
    expect(parseNativeHeader(Buffer.from('\x7fELF', 'latin1'))).toBeUndefined();
    expect(parseNativeHeader(Buffer.from('MZ'))).toBeUndefined();
  });
});

describe('parseNativeHeader on crafted headers', () => {
  it('tells musl from glibc by interpreter and by needed libraries', async () => {
    const musl = craftElf({ bits: 64, littleEndian: true, machine: 62, type: 3, interp: '/lib/ld-musl-x86_64.so.1' });
    expect(parseNativeHeader(musl)).toMatchObject({ arch: 'x64', libc: 'musl', type: 'executable' });
    const lib = craftElf({ bits: 64, littleEndian: true, machine: 183, type: 3, needed: ['libstdc++.so.6', 'libc.musl-aarch64.so.1'], padTo: 6000 });
    expect(parseNativeHeader(lib.subarray(0, 4096))).toMatchObject({ arch: 'arm64', type: 'shared-library' });
    expect(await readNativeInfo(lib.subarray(0, 4096), fileReader(lib))).toMatchObject({ arch: 'arm64', libc: 'musl' });
    const glibc = craftElf({ bits: 64, littleEndian: true, machine: 62, type: 3, needed: ['libm.so.6', 'libc.so.6'] });
    expect(await readNativeInfo(glibc, fileReader(glibc))).toMatchObject({ libc: 'glibc' });
  });

  it('reads 32-bit and big-endian ELF', () => {
    expect(parseNativeHeader(craftElf({ bits: 32, littleEndian: true, machine: 3, type: 2, interp: '/lib/ld-linux.so.2' }))).toMatchObject({ arch: 'ia32', bits: 32, libc: 'glibc' });
    expect(parseNativeHeader(craftElf({ bits: 32, littleEndian: false, machine: 40, type: 1 }))).toMatchObject({ arch: 'arm', bits: 32, type: 'object' });
    expect(parseNativeHeader(craftElf({ bits: 64, littleEndian: false, machine: 22, type: 3 }))).toMatchObject({ arch: 's390x', bits: 64 });
  });

  it('reads thin Mach-O in both byte orders and fat/universal files', () => {
    const thin = (magic: number, cpu: number, ftype: number, le: boolean) => {
      const b = Buffer.alloc(32);
      b.writeUInt32BE(magic, 0);
      if (le) (b.writeInt32LE(cpu, 4), b.writeUInt32LE(ftype, 12));
      else (b.writeInt32BE(cpu, 4), b.writeUInt32BE(ftype, 12));
      return b;
    };
    expect(parseNativeHeader(thin(0xcffaedfe, 0x01000007, 8, true))).toEqual({ format: 'macho', os: 'darwin', arch: 'x64', bits: 64, type: 'shared-library' });
    expect(parseNativeHeader(thin(0xfeedface, 18, 2, false))).toMatchObject({ format: 'macho', arch: 'unknown', bits: 32, type: 'executable' });
    expect(parseNativeHeader(thin(0xcefaedfe, 7, 6, true))).toMatchObject({ arch: 'ia32', bits: 32 });
    const fat = Buffer.alloc(64);
    fat.writeUInt32BE(0xcafebabe, 0);
    fat.writeUInt32BE(2, 4);
    fat.writeInt32BE(0x01000007, 8);
    fat.writeInt32BE(0x0100000c, 28);
    expect(parseNativeHeader(fat)).toEqual({ format: 'macho', os: 'darwin', arch: 'universal', bits: 64, archs: ['x64', 'arm64'] });
  });

  it('reads a 32-bit PE executable', () => {
    const b = Buffer.alloc(512);
    b.write('MZ', 0);
    b.writeUInt32LE(0x80, 0x3c);
    b.writeUInt32LE(0x00004550, 0x80);
    b.writeUInt16LE(0x14c, 0x84);
    b.writeUInt16LE(0x0102, 0x80 + 22);
    b.writeUInt16LE(0x10b, 0x80 + 24);
    expect(parseNativeHeader(b)).toEqual({ format: 'pe', os: 'win32', arch: 'ia32', bits: 32, type: 'executable' });
  });
});

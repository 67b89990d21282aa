#!/usr/bin/env python3
"""delta_files.py -- inputs for bench/delta.sh; each command prints the bytes that changed (the delta's floor).
  base OUT MIB                  random bytes
  inplace BASE OUT PCT SEED     BASE with PCT % overwritten, in 1 MiB blocks at random places (same length)
  insert BASE OUT PCT SEED [KIB]  BASE with PCT % of new bytes inserted, in blocks of KIB (default 1024) at random places
  apk OLD NEW SEED              an APK-shaped zip and its rebuild: stored native library, assets and resources.arsc,
                                deflated dex files; the rebuild changes both dex files, 1 MiB inside one asset and
                                4 KiB in two places of the library (offsets after them shift)
"""
import os, random, sys, zipfile

MIB = 1 << 20


def base(out, mib):
    with open(out, "wb") as f:
        for _ in range(mib):
            f.write(os.urandom(MIB))
    return 0


def inplace(src, out, pct, seed):
    size = os.path.getsize(src)
    blocks = size // MIB
    rnd = random.Random(seed)
    chosen = set(rnd.sample(range(blocks), max(1, round(blocks * pct / 100))))
    with open(src, "rb") as f, open(out, "wb") as o:
        for i in range(blocks):
            data = f.read(MIB)
            o.write(rnd.randbytes(MIB) if i in chosen else data)
        o.write(f.read())
    return len(chosen) * MIB


def insert(src, out, pct, seed, kib=1024):
    size = os.path.getsize(src)
    rnd = random.Random(seed)
    piece = kib * 1024
    count = max(1, round(size * pct / 100 / piece))
    points = sorted(rnd.sample(range(size), count))
    with open(src, "rb") as f, open(out, "wb") as o:
        at = 0
        for p in points:
            copy(f, o, p - at)
            o.write(rnd.randbytes(piece))
            at = p
        copy(f, o, size - at)
    return count * piece


def copy(f, o, n):
    while n > 0:
        data = f.read(min(n, 8 * MIB))
        o.write(data)
        n -= len(data)


def dex(rnd, mib):
    # Code-like: compressible, so deflate matters as it does for real dex files.
    words = [bytes(rnd.choice(b"abcdefghijklmnop") for _ in range(rnd.randint(3, 12))) for _ in range(4096)]
    out = b"".join(w + rnd.randbytes(2) for w in rnd.choices(words, k=mib * MIB // 8))
    while len(out) < mib * MIB:
        out += out
    return out[: mib * MIB]


def apk(old, new, seed):
    rnd = random.Random(seed)
    entries = {
        "AndroidManifest.xml": (dex(rnd, 1)[:64 * 1024], zipfile.ZIP_DEFLATED),
        "classes.dex": (dex(rnd, 8), zipfile.ZIP_DEFLATED),
        "classes2.dex": (dex(rnd, 4), zipfile.ZIP_DEFLATED),
        "resources.arsc": (rnd.randbytes(4 * MIB), zipfile.ZIP_STORED),
        "lib/arm64-v8a/libgame.so": (rnd.randbytes(24 * MIB), zipfile.ZIP_STORED),
    }
    for i in range(8):
        entries[f"assets/level{i}.pak"] = (rnd.randbytes(10 * MIB), zipfile.ZIP_STORED)
    write_zip(old, entries)
    changed = dict(entries)
    changed["classes.dex"] = (dex(rnd, 8), zipfile.ZIP_DEFLATED)
    changed["classes2.dex"] = (dex(rnd, 4), zipfile.ZIP_DEFLATED)
    asset = bytearray(entries["assets/level3.pak"][0])
    asset[2 * MIB:3 * MIB] = rnd.randbytes(MIB)
    changed["assets/level3.pak"] = (bytes(asset), zipfile.ZIP_STORED)
    lib = bytearray(entries["lib/arm64-v8a/libgame.so"][0])
    lib[5 * MIB:5 * MIB] = rnd.randbytes(4096)
    lib[17 * MIB:17 * MIB + 4096] = rnd.randbytes(4096)
    changed["lib/arm64-v8a/libgame.so"] = (bytes(lib), zipfile.ZIP_STORED)
    write_zip(new, changed)
    with zipfile.ZipFile(new) as z:
        dexes = sum(z.getinfo(n).compress_size for n in ("classes.dex", "classes2.dex"))
    return dexes + MIB + 2 * 4096


def write_zip(path, entries):
    with zipfile.ZipFile(path, "w") as z:
        for name, (data, method) in entries.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = method
            z.writestr(info, data)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "base":
        print(base(args[0], int(args[1])))
    elif cmd == "inplace":
        print(inplace(args[0], args[1], float(args[2]), int(args[3])))
    elif cmd == "insert":
        print(insert(args[0], args[1], float(args[2]), int(args[3]), *(int(a) for a in args[4:5])))
    elif cmd == "apk":
        print(apk(args[0], args[1], int(args[2])))
    else:
        sys.exit(__doc__)

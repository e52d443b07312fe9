#!/usr/bin/env python3
"""Extracts every C# block marked as a snippet in README.md and docs/*.md into compilable files.

A snippet is a fenced ```csharp block whose previous non-blank line is `<!-- snippet -->` (or
`<!-- snippet: NAME -->`). Each snippet must be a whole file as a reader would paste it: `using` directives, then
top-level statements (a Program.cs), then type declarations; or only type declarations. Each becomes
Generated/<Name>.cs in its own namespace, its statements wrapped in `Snippet.RunAsync(string[] args)`, so every
snippet of the documentation compiles in one project (tests/consumer/Abdm.ProfileShare.Snippets) against the packed
packages. Exits 1 when a marked block is not a csharp block, or when no snippet is found.

Usage: extract-snippets.py REPO_ROOT OUTPUT_DIR
"""
import pathlib
import re
import sys

MARK = re.compile(r"^<!--\s*snippet(?::\s*([A-Za-z][A-Za-z0-9_]*))?\s*-->\s*$")
TYPE_START = re.compile(r"^(?:(?:public|internal|sealed|static|abstract|partial|file|readonly)\s+)*(?:class|record|struct|interface|enum)\s")


def snippets(path: pathlib.Path):
    lines = path.read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(lines):
        match = MARK.match(lines[i].strip())
        if not match:
            i += 1
            continue
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        if j >= len(lines) or lines[j].strip() != "```csharp":
            raise SystemExit(f"{path}:{i + 1}: a snippet marker must be followed by a ```csharp block")
        k = j + 1
        while k < len(lines) and lines[k].strip() != "```":
            k += 1
        yield match.group(1), i + 1, lines[j + 1:k]
        i = k + 1


def wrap(namespace: str, source: str, code: list[str]) -> str:
    usings, rest = [], list(code)
    while rest and (not rest[0].strip() or (rest[0].startswith("using ") and not rest[0].startswith("using var ") and rest[0].rstrip().endswith(";"))):
        line = rest.pop(0)
        if line.strip():
            usings.append(line)
    split = len(rest)
    for n, line in enumerate(rest):
        if TYPE_START.match(line):
            split = n
            # comments directly above the first type belong to it
            while split > 0 and rest[split - 1].lstrip().startswith("//"):
                split -= 1
            break
    body, types = rest[:split], rest[split:]
    out = [f"// Generated from {source} by eng/extract-snippets.py: do not edit.", "#pragma warning disable CS1998", *usings,
           f"namespace {namespace};", ""]
    if any(line.strip() for line in body):
        out += ["public static class Snippet", "{", "    public static async Task RunAsync(string[] args)", "    {"]
        out += [("        " + line) if line.strip() else "" for line in body]
        out += ["    }", "}", ""]
    out += types
    return "\n".join(out) + "\n"


def main() -> int:
    root, output = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    output.mkdir(parents=True, exist_ok=True)
    for old in output.glob("*.cs"):
        old.unlink()
    files = [root / "README.md", *sorted((root / "docs").glob("*.md"))]
    count = 0
    for path in files:
        stem = re.sub(r"[^A-Za-z0-9]", "_", path.stem.title())
        for n, (name, line, code) in enumerate(snippets(path), start=1):
            namespace = f"Snippets.{name[0].upper() + name[1:]}" if name else f"Snippets.{stem}_{n}"
            source = f"{path.relative_to(root)}:{line}"
            (output / f"{namespace.split('.', 1)[1]}.cs").write_text(wrap(namespace, source, code), encoding="utf-8")
            print(f"snippet {namespace} from {source}")
            count += 1
    if count == 0:
        print("no snippet found", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`make bench`: build synthetic collections of 1,000 and 5,000 abstracts and print speed and size figures.

Figures, not pass/fail: cold build, no-change rebuild and one-new-abstract rebuild (wall seconds, each the
median of --repeat runs, every run shown too with its CPU seconds, user+sys of all build processes, and
the load average), the peak memory of all build processes together, the site's and zip's files and MB,
the search folder's bytes (raw and gzip), and in Chromium from file:// the time from opening the
search page to the first results plus the median and p95 latency of 66 mixed queries.

    python -m tests.bench [--sizes 1000 5000] [--repeat 3] [--keep DIR]
    python -m tests.bench --corpus real [--sizes 5000 20000] [--search-only]

--corpus real draws the abstracts from ../shared/bench/synth_real.py (the project sits beside shared/)
for a clone without ../shared (a vocabulary that grows as a real collection's does), and also prints,
per size, what the search page loads for a cold query (gzip KB of every file it asks for besides its
HTML and CSS: search code, root, shards, fragments) and the time from typing a query to its results
on screen. --search-only builds the search index alone from those abstracts into a site built from the
seeds (no site build of thousands of records).
"""
from __future__ import annotations

import argparse
import gzip
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
import zipfile
from pathlib import Path

from tests.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, copy_project, run_build

SEED = 20261121
QUERIES = [
    "上海合作组织", "集安组织", "马六甲", "安全合作", "中亚", "上合", "亚信会议", "能源", "阿富汗", "海盗",
    "上海合作組織", "金融合作", "乌兹别克斯坦", "欧亚地区", "多边机制", "孟加拉湾", "俄罗斯", "非传统安全",
    "regional organisations", "security cooperation", "ASEAN", "NATO", "collective security", "terrorism",
    "disaster", "ways", "Shanghai Cooperation Organisation", "institutionalization", "Balkan", "Eurasia",
    "hoi nghi", "an ninh", "Hội nghị", "châu Á", "CICA", "SCO", "SCO 安全", "\"collective security\"",
    "secur*", "上海*", "+ASEAN +EU", "NATO -Balkan", "NATO:", "a~b^c", "\"unbalanced", "中亚 安全 合作",
    "global war on terrorism", "文化联系", "边境地区", "军事互信", "Kazakhstan", "哈萨克斯坦", "Uzbekistan",
    "world society theory", "海上安全", "区域经济一体化", "上合组织 SCO", "CSTO", "亚洲安全观", "欧盟",
    "organis*", "*组织", "us", "EU", "+security -terrorism", "\"上海合作组织\"",
]


def seed_entries() -> dict[str, list[str]]:
    """Return the seed abstracts' sentences grouped by language (zh / en)."""
    sys.path.insert(0, str(ROOT))
    from bibsite.corpus import read_corpus
    from bibsite.textnorm import split_sentences

    sentences: dict[str, list[str]] = {"zh": [], "en": []}
    for path in sorted((ROOT / "seeds" / "abstracts").glob("*.txt")):
        for entry in read_corpus(path, lambda message: None):
            if entry["language"] in sentences and not entry["truncated"]:
                sentences[entry["language"]].extend(split_sentences(entry["text"]))
    return sentences


def _zh_word(rng: random.Random, alphabet: str) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.choice((2, 2, 3, 4))))


def _en_word(rng: random.Random) -> str:
    syllables = ["ka", "ro", "vel", "stan", "mir", "dor", "qua", "lin", "tes", "ber", "ox", "ium", "gra", "pol"]
    return "".join(rng.choice(syllables) for _ in range(rng.choice((2, 3, 3, 4))))


def synthetic_corpus(count: int, rng: random.Random) -> str:
    """Return a corpus file of count abstracts resampled from the seeds, with a vocabulary that grows."""
    sentences = seed_entries()
    alphabet = "".join(sorted({ch for s in sentences["zh"] for ch in s if "\u4e00" <= ch <= "\u9fff"}))
    entries = []
    for number in range(count):
        language = "zh" if rng.random() < 0.65 else "en"
        picked = rng.sample(sentences[language], k=min(len(sentences[language]), rng.randint(3, 6)))
        text_parts = []
        for sentence in picked:
            if language == "zh":
                # Splice in new words and numbers so the vocabulary keeps growing like a real corpus.
                cut = rng.randrange(len(sentence) // 2 + 1)
                sentence = sentence[:cut] + _zh_word(rng, alphabet) + sentence[cut:]
                sentence = re.sub(r"\d{4}", lambda m: str(rng.randint(1990, 2025)), sentence)
            else:
                words = sentence.split(" ")
                words.insert(rng.randrange(len(words)), _en_word(rng))
                sentence = " ".join(words)
            text_parts.append(sentence)
        joiner = "" if language == "zh" else " "
        entries.append(joiner.join(text_parts) + f" {number}  相似文献")
    return "\n\n".join(entries) + "\n"


def _tree_pss_kb(root: int) -> int:
    """Return the summed proportional set size (KB) of process root and all its descendants, read from
    /proc (PSS, not RSS: a forked child's pages shared with its parent are counted once)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def timed_build(project: Path) -> dict:
    """Return one `build.py` run's figures: wall seconds, CPU seconds (user+sys of the build and every
    process it started, so the figure still means something on a loaded machine), peak memory of all
    its processes together (MB of PSS, sampled every 0.1 s), and the 1-minute load average at its end.
    The run starts with the disk idle: the writes the previous build or clean-up left to the kernel (a
    site is 100+ MB) are flushed first, not charged to this one."""
    import subprocess
    import resource

    os.sync()
    env = dict(os.environ, PYTHONPATH=str(project), NO_COLOR="1")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(project / "build.py")], cwd=project, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_pss_kb(proc.pid))
        time.sleep(0.1)
    wall = time.perf_counter() - start
    output = proc.stdout.read()
    if proc.returncode != 0:
        raise AssertionError(f"build failed ({proc.returncode}):\n{output}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "peak_mb": peak / 1024, "load": os.getloadavg()[0]}


def search_bytes(site: Path) -> tuple[int, int]:
    """Return (raw, gzip) bytes of everything the search page loads besides the HTML shell."""
    raw = packed = 0
    files = [site / "zh" / "search.html", site / "assets" / "style.css", *sorted((site / "assets" / "search").rglob("*"))]
    for path in files:
        if path.is_file():
            data = path.read_bytes()
            raw += len(data)
            packed += len(gzip.compress(data, compresslevel=6, mtime=0))
    return raw, packed


# Records, in the page, when the first result element is added (performance.now(): ms since navigation).
FIRST_RESULT_PROBE = """
new MutationObserver((changes, observer) => {
  if (document.querySelector("[data-record-id]")) { window.__firstResultMs = performance.now(); observer.disconnect(); }
}).observe(document, {childList: true, subtree: true});
"""


def browser_figures(site: Path, runs: int = 3) -> dict:
    """Return first-results time and query latencies measured in Chromium from file://.

    first_results_ms: from opening search.html?q=安全 to the first [data-record-id] element, the
    median of `runs` fresh browser contexts. median_ms / p95_ms: every query of QUERIES run once,
    in order, through window.bibSearch.search right after window.bibSearch.ready(), on `runs` fresh
    pages (so each run pays the first-use costs a reader would), pooled.
    """
    from playwright.sync_api import sync_playwright

    url = (site / "zh" / "search.html").as_uri()
    firsts, timings = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for _ in range(runs):
                context = browser.new_context()
                page = context.new_page()
                page.add_init_script(FIRST_RESULT_PROBE)
                page.goto(f"{url}?q=%E5%AE%89%E5%85%A8", wait_until="commit")
                page.wait_for_function("window.__firstResultMs !== undefined", timeout=30_000)
                firsts.append(page.evaluate("window.__firstResultMs"))
                context.close()
            for _ in range(runs):
                context = browser.new_context()
                page = context.new_page()
                page.goto(url)
                page.wait_for_function("window.bibSearch && window.bibSearch.ready()", timeout=30_000)
                timings += page.evaluate(TYPING, [q for q in QUERIES if q.strip()])
                context.close()
        finally:
            browser.close()
    timings.sort()
    return {"first_results_ms": statistics.median(firsts), "queries": len(QUERIES), "median_ms": statistics.median(timings),
            "p95_ms": timings[max(0, -(-len(timings) * 95 // 100) - 1)]}


# The realistic generator and its word table (exported from wordfreq) stay in ../shared/bench, beside
# the project, rather than copied in: third-party data comes in as a dependency or not at all.
SYNTH_REAL = ROOT.parent / "shared" / "bench" / "synth_real.py"
COLD_QUERIES = ["上海合作组织", "security cooperation", "安全", "马六甲海峡", "collective security treaty", "多边机制 反恐"]


def real_corpus(count: int, out: Path) -> Path:
    """Return out, written with count abstracts of the realistic generator (SYNTH_REAL)."""
    if not SYNTH_REAL.is_file():
        raise SystemExit(f"error: {SYNTH_REAL}: missing — --corpus real needs the shared/ folder beside the project")
    import subprocess

    subprocess.run([sys.executable, str(SYNTH_REAL), str(count), str(out)], check=True, capture_output=True)
    return out


def corpus_docs(path: Path) -> list[dict]:
    """Return a corpus file's abstracts as search docs (what the site build hands search_index)."""
    import hashlib

    sys.path.insert(0, str(ROOT))
    from bibsite.corpus import read_corpus

    docs = []
    for entry in read_corpus(path, lambda message: None):
        lang = entry["language"] if entry["language"] in ("zh", "en") else "en"
        record_id = hashlib.sha1(entry["text"].encode("utf-8")).hexdigest()[:12]
        title = re.split(r"(?<=[。.!?！？])", entry["text"], maxsplit=1)[0][:80]
        docs.append({"id": record_id, "type": "abstract", "lang": lang, "langs": [lang], "title": title,
                     "blocks": [{"lang": lang, "text": entry["text"]}], "keywords": [],
                     "url": f"abstracts/{record_id}.html", "entities": []})
    return list({d["id"]: d for d in docs}.values())


def search_only_site(size: int, workdir: Path) -> tuple[Path, dict]:
    """Return a site built from the seeds whose search index holds size realistic abstracts instead,
    and the index's figures (seconds to build it, shards, files)."""
    project = copy_project(workdir / f"search-{size}")
    start_cold(project)
    run_build(project)
    docs = corpus_docs(real_corpus(size, workdir / f"real-{size}.txt"))
    sys.path.insert(0, str(ROOT))
    from search_index import build_search_assets

    entities = __import__("yaml").safe_load((project / "content" / "entities.yaml").read_text(encoding="utf-8")) \
        if (project / "content" / "entities.yaml").is_file() else None
    start = time.perf_counter()
    figures = build_search_assets(docs, project / "site" / "assets" / "search",
                                  entities=entities.get("entities", []) if isinstance(entities, dict) else ())
    figures["index_s"] = time.perf_counter() - start
    return project / "site", figures


def cold_query_bytes(site: Path) -> dict:
    """Return {query: gzip bytes} of every file the search page asks for besides its HTML and CSS, for
    each of COLD_QUERIES opened in a fresh browser context from file://."""
    from playwright.sync_api import sync_playwright

    url = (site / "zh" / "search.html").as_uri()
    out = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for query in COLD_QUERIES:
                context = browser.new_context()
                page = context.new_page()
                asked = []
                page.on("request", lambda r: asked.append(r.url))
                page.goto(f"{url}?q={query}")
                page.wait_for_function("q => document.getElementById('search-results').dataset.query === q",
                                       arg=query, timeout=60_000)
                total = 0
                for address in dict.fromkeys(asked):
                    path = Path(urllib.parse.unquote(urllib.parse.urlsplit(address).path))
                    if path.suffix not in (".html", ".css") and path.is_file():
                        total += len(gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))
                out[query] = total
                context.close()
        finally:
            browser.close()
    return out


# Types each query into the box and submits it, timing until the list shows its first results
# (data-first-query: the first ten on screen; the rest of the page follows).
TYPING = """async (queries) => {
  const input = document.getElementById("search-q"), form = document.getElementById("search-form");
  const list = document.getElementById("search-results"), out = [];
  for (const q of queries) {
    const t0 = performance.now();
    await new Promise(resolve => {
      const watch = new MutationObserver(() => { if (list.dataset.firstQuery === q) { watch.disconnect(); resolve(); } });
      watch.observe(list, {attributes: true, attributeFilter: ["data-first-query"]});
      input.value = q;
      form.requestSubmit();
    });
    out.push(performance.now() - t0);
  }
  return out;
}"""


def typing_figures(site: Path, runs: int = 3) -> dict:
    """Return the median and p95 ms from submitting a query to its results on screen (QUERIES in
    order on `runs` fresh pages from file://, shards loading as they are needed), and the first-results
    time of search.html?q=安全."""
    from playwright.sync_api import sync_playwright

    url = (site / "zh" / "search.html").as_uri()
    firsts, timings = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for _ in range(runs):
                context = browser.new_context()
                page = context.new_page()
                page.add_init_script(FIRST_RESULT_PROBE)
                page.goto(f"{url}?q=%E5%AE%89%E5%85%A8", wait_until="commit")
                page.wait_for_function("window.__firstResultMs !== undefined", timeout=60_000)
                firsts.append(page.evaluate("window.__firstResultMs"))
                context.close()
                context = browser.new_context()
                page = context.new_page()
                page.goto(url)
                page.wait_for_function("window.bibSearch && window.bibSearch.ready()", timeout=60_000)
                timings += page.evaluate(TYPING, [q for q in QUERIES if q.strip()])
                context.close()
        finally:
            browser.close()
    timings.sort()
    return {"first_results_ms": statistics.median(firsts), "median_ms": statistics.median(timings),
            "p95_ms": timings[max(0, -(-len(timings) * 95 // 100) - 1)]}


def search_figures(size: int, workdir: Path) -> None:
    """Print the search figures of size realistic abstracts (the index built alone, see --search-only)."""
    site, index = search_only_site(size, workdir)
    folder = site / "assets" / "search"
    total = sum(p.stat().st_size for p in folder.iterdir())
    cold = cold_query_bytes(site)
    typing = typing_figures(site)
    print(f"{size:>8} index {index['index_s']:.0f} s, {index['terms']} terms, {index['shards']} shards, "
          f"{len(index['files'])} files, {total / 2**20:.1f} MB; root {index['index_bytes'] / 1024:.0f} KB "
          f"({len(gzip.compress((folder / 'index.js').read_bytes())) / 1024:.0f} KB gzip)", flush=True)
    print(f"         cold query gzip KB: " + ", ".join(f"{q} {b / 1024:.0f}" for q, b in cold.items())
          + f"; first results {typing['first_results_ms']:.0f} ms; typing to results median "
          f"{typing['median_ms']:.1f} ms, p95 {typing['p95_ms']:.1f} ms", flush=True)


def start_cold(project: Path) -> None:
    """Put project back as a first `make site` finds it: no records in content/, no site, zip or cache."""
    for folder in ("site", "dist", ".cache", "content/abstracts"):
        shutil.rmtree(project / folder, ignore_errors=True)
    (project / "content" / "abstracts").mkdir()


def add_abstract(project: Path, number: int, corpus: str = "seeds") -> None:
    """Append one new synthetic abstract to the project's seed corpus."""
    if corpus == "real":
        import subprocess

        new = subprocess.run([sys.executable, str(SYNTH_REAL), "1", "-", "--seed", str(SEED - number), "--tag", f"new{number}"],
                             check=True, capture_output=True, text=True).stdout
    else:
        new = synthetic_corpus(1, random.Random(SEED - number)).replace(" 0  相似文献", f" new{number}  相似文献")
    with (project / "seeds" / "abstracts" / "synthetic.txt").open("a", encoding="utf-8") as handle:
        handle.write("\n" + new)


def bench(size: int, workdir: Path, repeat: int, corpus: str = "seeds") -> dict:
    """Return every figure for a synthetic collection of size abstracts built in workdir.

    Each build time is the median of repeat runs (a shared machine's timings vary by tens of percent
    from one minute to the next): repeat cold builds from scratch, then as many no-change rebuilds and
    one-new-abstract rebuilds (a new abstract each time) after the last of them."""
    project = copy_project(workdir / f"bench-{size}")
    for path in (project / "seeds" / "abstracts").glob("*.txt"):
        path.unlink()
    rng = random.Random(SEED + size)
    if corpus == "real":
        real_corpus(size, project / "seeds" / "abstracts" / "synthetic.txt")
    else:
        (project / "seeds" / "abstracts" / "synthetic.txt").write_text(synthetic_corpus(size, rng), encoding="utf-8")
    start_cold(project)
    run_build(project, "--check")  # imports nothing, warms the OS file cache
    colds = []
    for _ in range(repeat):
        start_cold(project)
        # The cold build includes the import of every synthetic abstract, like a first `make site`.
        colds.append(timed_build(project))
    unchanged, one_new = [], []
    for number in range(repeat):
        unchanged.append(timed_build(project))
        add_abstract(project, number, corpus)
        one_new.append(timed_build(project))
    raw, packed = search_bytes(project / "site")
    pick = lambda runs, key: statistics.median(run[key] for run in runs)
    figures = {"size": size, "cold_s": pick(colds, "wall"), "nochange_s": pick(unchanged, "wall"),
               "one_new_s": pick(one_new, "wall"), "search_raw": raw, "search_gzip": packed,
               "cpu": {"cold": pick(colds, "cpu"), "no-change": pick(unchanged, "cpu"), "one new": pick(one_new, "cpu")},
               "peak_mb": max(run["peak_mb"] for run in colds + unchanged + one_new),
               "runs": {"cold": colds, "no-change": unchanged, "one new": one_new},
               "weight": site_weight(project)}
    figures.update(browser_figures(project / "site"))
    if corpus == "real":
        cold = cold_query_bytes(project / "site")
        figures["cold_query_kb"] = max(cold.values()) / 1024
        figures["typing"] = typing_figures(project / "site")
    figures["load_after_browser"] = os.getloadavg()[0]
    return figures


def site_weight(project: Path) -> dict:
    """Return what the built site weighs: its files, their MB, and the zip's files and MB."""
    files = [path for path in (project / "site").rglob("*") if path.is_file()]
    zips = sorted((project / "dist").glob("*.zip"))
    with zipfile.ZipFile(zips[-1]) as archive:
        entries = sum(1 for info in archive.infolist() if not info.is_dir())
    return {"files": len(files), "mb": sum(path.stat().st_size for path in files) / 2**20,
            "zip_files": entries, "zip_mb": zips[-1].stat().st_size / 2**20}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", type=int, default=[1000, 5000])
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each build kind; the median is shown (default 3)")
    parser.add_argument("--corpus", choices=["seeds", "real"], default="seeds",
                        help="abstracts resampled from the seeds, or the realistic generator (../shared/bench)")
    parser.add_argument("--search-only", action="store_true", help="with --corpus real: build the search index alone")
    args = parser.parse_args(argv)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="bib-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    if args.corpus == "real" and args.search_only:
        try:
            for size in (args.sizes if args.sizes != [1000, 5000] else [5000, 20000]):
                search_figures(size, workdir)
        finally:
            if not args.keep:
                shutil.rmtree(workdir, ignore_errors=True)
        return 0
    print(f"{'records':>8} {'cold s':>7} {'no-change s':>12} {'one-new s':>10} {'search KB':>10} {'gzip KB':>8} "
          f"{'first ms':>9} {'median ms':>10} {'p95 ms':>7}")
    try:
        for size in args.sizes:
            f = bench(size, workdir, args.repeat, args.corpus)
            print(f"{f['size']:>8} {f['cold_s']:>7.1f} {f['nochange_s']:>5.1f} ({f['nochange_s'] / f['cold_s']:>4.0%})"
                  f" {f['one_new_s']:>4.1f} ({f['one_new_s'] / f['cold_s']:>3.0%}) {f['search_raw'] / 1024:>10.0f}"
                  f" {f['search_gzip'] / 1024:>8.0f} {f['first_results_ms']:>9.0f} {f['median_ms']:>10.2f}"
                  f" {f['p95_ms']:>7.2f}", flush=True)
            print("         runs (wall s, CPU s user+sys of all build processes, load average at the end): " + "; ".join(
                f"{kind} " + ", ".join(f"{r['wall']:.1f} ({r['cpu']:.1f} CPU, load {r['load']:.1f})" for r in runs)
                for kind, runs in f["runs"].items()), flush=True)
            cpu = f["cpu"]
            print(f"         CPU s: cold {cpu['cold']:.1f}, no-change {cpu['no-change']:.1f} "
                  f"({cpu['no-change'] / cpu['cold']:.0%}), one new {cpu['one new']:.1f} ({cpu['one new'] / cpu['cold']:.0%}); "
                  f"peak memory of all build processes together {f['peak_mb']:.0f} MB (PSS)", flush=True)
            w = f["weight"]
            print(f"         site {w['files']} files, {w['mb']:.0f} MB; zip {w['zip_files']} files, {w['zip_mb']:.0f} MB; "
                  f"load average after the browser figures {f['load_after_browser']:.1f}", flush=True)
            if "typing" in f:
                print(f"         cold query (largest of {len(COLD_QUERIES)}) {f['cold_query_kb']:.0f} KB gzip; typing to "
                      f"results median {f['typing']['median_ms']:.1f} ms, p95 {f['typing']['p95_ms']:.1f} ms; "
                      f"first results {f['typing']['first_results_ms']:.0f} ms", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

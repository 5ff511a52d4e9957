#!/usr/bin/env python3
"""Embedding throughput of sentence-transformers (PyTorch, CPU): the reference point for Viva's
Candle provider benchmark, on the same sentences (benches/data/embedding_sentences.json).

    py="$(scripts/python-env.sh)"
    "$py" benches/python/st_bench.py --model "$(scripts/fetch-model.sh --print-dir)" \
        --sentences benches/data/embedding_sentences.json --threads 2 --seconds 5

For each group (short, long) and batch size (1, 32) it warms up, then encodes for --seconds:
batch 1 encodes one sentence at a time cycling through the group, batch 32 encodes consecutive
slices of 32 cycling through it. Prints exactly one JSON line on stdout:
    {"engine":"sentence-transformers","torch":...,"threads":N,"results":[{"group":"short",
     "tokens":x,"batch":1,"sentences_per_sec":f}, ...]}
Everything else (progress, library logging) goes to stderr.
"""

import argparse
import contextlib
import json
import os
import sys
import time

GROUPS = ("short", "long")
BATCHES = (1, 32)
WARMUP_BATCHES = 3


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="sentence-transformers model directory (all-MiniLM-L6-v2)")
    p.add_argument("--sentences", required=True, help="JSON file with 'short' and 'long' sentence lists")
    p.add_argument("--threads", type=int, default=2, help="torch intra-op threads (default 2)")
    p.add_argument("--seconds", type=float, default=5.0, help="measured seconds per group and batch size (default 5)")
    args = p.parse_args()
    if args.threads < 1 or args.seconds <= 0:
        p.error("--threads must be >= 1 and --seconds > 0")
    return args


def batches_for(sentences, batch):
    """The cycle of batches: single sentences, or consecutive slices of `batch` (wrapping around)."""
    if batch == 1:
        return [[s] for s in sentences]
    n = len(sentences)
    count = max(1, n // batch) if n % batch == 0 else n
    return [[sentences[(i * batch + j) % n] for j in range(batch)] for i in range(count)]


def main():
    args = parse_args()
    # Thread counts must be in the environment before torch (and its OpenMP/MKL runtimes) load.
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

    out = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):
        with open(args.sentences, encoding="utf-8") as f:
            data = json.load(f)

        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(args.threads)
        model = SentenceTransformer(args.model, device="cpu")
        model.eval()

        token_means = data.get("tokens") or {}
        results = []
        with torch.inference_mode():
            for group in GROUPS:
                sentences = data[group]
                tokens = token_means.get(group)
                if tokens is None:
                    counts = [len(model.tokenizer(s, truncation=True, max_length=model.max_seq_length)["input_ids"]) for s in sentences]
                    tokens = round(sum(counts) / len(counts), 2)
                for batch in BATCHES:
                    cycle = batches_for(sentences, batch)

                    def encode(texts):
                        model.encode(
                            texts,
                            batch_size=len(texts),
                            normalize_embeddings=True,
                            convert_to_numpy=True,
                            show_progress_bar=False,
                        )

                    for i in range(WARMUP_BATCHES):
                        encode(cycle[i % len(cycle)])

                    done = 0
                    i = 0
                    start = time.perf_counter()
                    elapsed = 0.0
                    while elapsed < args.seconds:
                        texts = cycle[i % len(cycle)]
                        encode(texts)
                        done += len(texts)
                        i += 1
                        elapsed = time.perf_counter() - start
                    rate = done / elapsed
                    print(f"st_bench: {group:5s} batch {batch:2d}: {done} sentences in {elapsed:.2f}s = {rate:.1f}/s", file=sys.stderr)
                    results.append({"group": group, "tokens": tokens, "batch": batch, "sentences_per_sec": round(rate, 2)})

        line = json.dumps(
            {"engine": "sentence-transformers", "torch": torch.__version__, "threads": args.threads, "results": results},
            separators=(",", ":"),
        )
    print(line, file=out, flush=True)


if __name__ == "__main__":
    main()

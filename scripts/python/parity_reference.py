#!/usr/bin/env python3
"""Reference embeddings for the Candle provider's parity test.

Encodes a fixed, deliberately varied set of sentences with sentence-transformers and the
all-MiniLM-L6-v2 model directory, and writes providers/candle/tests/fixtures/parity.json.

    py="$(scripts/python-env.sh)"
    "$py" scripts/python/parity_reference.py --model "$(scripts/fetch-model.sh --print-dir)"

Runs offline (HF_HUB_OFFLINE=1): the model must be a local directory. Prints the word-piece token
count of every sentence on stdout so the truncation cases (longer than max_seq_length, 256) show.
"""

import argparse
import json
import os
import sys
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO / "providers" / "candle" / "tests" / "fixtures" / "parity.json"

LONG_ANSWER_1 = (
    "Tell me about a time you disagreed with a technical decision. In my last role the team "
    "wanted to move our monolith to microservices over a single quarter, and I thought the plan "
    "underestimated the operational cost. Instead of arguing in the abstract, I wrote a short "
    "document that listed every service boundary we were proposing, the data each one would own, "
    "and the calls that would cross the network on our busiest request path. The numbers showed "
    "that checkout alone would go from one database transaction to seven remote calls, each with "
    "its own failure mode and retry policy. I presented it at our architecture review, made clear "
    "that I supported the long-term goal, and proposed a different order: first split out the "
    "notification and reporting code, which had few dependencies and clear owners, then measure "
    "latency and on-call load for a month before touching payments. The team agreed to the "
    "staged plan. We shipped the first two services in six weeks, found that our tracing was not "
    "good enough to debug cross-service failures, and invested in that before going further. "
    "Looking back, what I learned is that disagreement goes better when you bring data, separate "
    "the goal from the plan, and offer an alternative you are willing to own yourself. I also "
    "learned to check in with the people who proposed the original plan before the meeting, so "
    "nobody felt ambushed and the discussion stayed about the system rather than about who was "
    "right. A year later the migration was mostly finished, a little later than the first plan "
    "promised but with far fewer incidents than we had feared, and the reporting service that we "
    "split out first became the template the other teams copied."
)

LONG_ANSWER_2 = " ".join(
    [
        "Walk me through how you would design a rate limiter for a public API.",
        "I would start by asking who is being limited, per API key, per user or per IP address,",
        "and what the limits protect: the database, a paid upstream provider, or fairness between",
        "customers. For most APIs a token bucket per key is a good default, because it allows short",
        "bursts while enforcing an average rate, and it is cheap to compute: store the token count",
        "and the last refill timestamp, and on each request add tokens for the elapsed time, cap",
        "at the bucket size, and subtract one if there is a token left. With several API servers",
        "the state has to be shared, so I would keep it in Redis and do the refill-and-take step in",
        "a Lua script so it is atomic, or use a sliding-window counter if exact fairness matters",
        "more than burst tolerance. Clients should get a 429 status with a Retry-After header and",
        "the remaining quota in response headers, so well-behaved clients can back off on their",
        "own. I would also think about failure: if Redis is down, do we fail open and risk",
        "overload, or fail closed and reject everyone? Usually fail open with a local in-memory",
        "limiter as a fallback is the right trade-off. Finally I would add metrics for rejected",
        "requests per key, alert when a large customer is being throttled, because that is often",
        "a sales conversation rather than an abuse case, and load test the limiter itself so it",
        "never becomes the bottleneck it was meant to prevent.",
        "— Follow-up: ¿Y si el tráfico viene de 10.000 IPs distintas? Then per-IP limits stop",
        "helping, and I would look at per-account limits, proof-of-work or CAPTCHA challenges for",
        "anonymous endpoints, and upstream protection at the CDN or load balancer. 🚦📈",
    ]
    * 2
)

SENTENCES = [
    # single words and very short text
    "Hello",
    "leadership",
    "OK!",
    "Résumé",
    "42",
    # plain interview-answer style
    "I led a team of five engineers to migrate our payment system to a new provider.",
    "My greatest strength is that I stay calm under pressure and communicate clearly.",
    "I'm not sure I understood the question; could you rephrase it?",
    "In my previous job I reduced the average page load time from 4.2 seconds to 1.1 seconds.",
    "Honestly, the project failed, but I learned how to scope work more carefully.",
    "I would first clarify the requirements with the stakeholders before writing any code.",
    "We used a STAR structure: situation, task, action, result.",
    "Where do you see yourself in five years?",
    "I resolved the conflict by setting up a one-on-one meeting with each colleague.",
    "My weakness is that I sometimes take on too much work myself instead of delegating.",
    # mixed case and shouting
    "tHiS sEnTeNcE hAs WeIrD cAsInG",
    "THE CANDIDATE ANSWERED EVERY QUESTION IN CAPITAL LETTERS",
    "iPhone, macOS, GraphQL, PostgreSQL and JavaScript are all product names.",
    # accented Latin and other scripts
    "Le candidat a présenté son expérience à l'équipe de développement.",
    "Über die Größe der Bäume wurde lange diskutiert, sagte Jürgen.",
    "El niño mañanero comió piña en la montaña de España.",
    "São Paulo, Kraków, Reykjavík and Île-de-France are place names with diacritics.",
    "Ελληνικά και русский язык в одном предложении.",
    "我在上一家公司负责后端开发和数据库优化。",
    "面接では自分の強みを具体的な例で説明しました。",
    "저는 팀 프로젝트에서 리더 역할을 맡았습니다.",
    "Mixed: the 会议 (meeting) starts at 9:30 — don't be late!",
    # emoji
    "Great job on the interview! 🎉🎉",
    "😀",
    "I love pizza 🍕 and coding 👩‍💻 on weekends 🏖️.",
    # numbers and punctuation
    "3.14159 2.71828 1.41421 1,000,000 -273.15 1e-9",
    "Call me at +1 (555) 010-9999, ext. 42; or email jane.doe@example.com.",
    "!!! ??? ... --- *** ### @@@ $$$ %%% ^^^ &&&",
    "Q3 revenue grew 17.5% year-over-year (from $2.4M to $2.82M).",
    '"Quoted text," she said, \'with single quotes\' and `backticks`.',
    "2024-03-15T10:30:00Z is an ISO-8601 timestamp.",
    # code-like text
    "fn main() {}",
    'fn main() { println!("Hello, world!"); }',
    "SELECT id, name FROM candidates WHERE score > 80 ORDER BY score DESC LIMIT 10;",
    "let embeddings: Vec<f32> = model.encode(&tokens)?;",
    "if (x != null && x.length > 0) { return x[0]; } else { throw new Error('empty'); }",
    "def add(a, b):\n    return a + b",
    "<div class=\"answer\"><p>Yes &amp; no</p></div>",
    '{"question": "Why Rust?", "answer": "Memory safety without a GC."}',
    # URLs and paths
    "https://example.com/interviews/123?lang=en&sort=desc#answers",
    "See http://localhost:8000/graphql and /var/lib/postgresql/data for details.",
    "git clone git@github.com:example/viva.git && cd viva",
    # whitespace oddities
    "tabs\tbetween\twords",
    "double  spaces  between  words",
    "   leading and trailing whitespace   ",
    "line one\nline two\r\nline three",
    "non\u00a0breaking\u00a0spaces and a zero\u200bwidth space",
    # repetition and odd tokens
    "the the the the the the the the the the",
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    # medium-length answer
    (
        "When I joined the team, our deployment process was manual and took about two hours. "
        "I automated it with a CI pipeline, wrote runbooks for the remaining manual steps, and "
        "trained two colleagues so that deployments no longer depended on me."
    ),
    (
        "The hardest bug I fixed was a race condition in our job queue: two workers could claim "
        "the same job when the database was under load. I reproduced it with a stress test, "
        "confirmed the cause with logs, and fixed it with SELECT ... FOR UPDATE SKIP LOCKED."
    ),
    # longer than max_seq_length (256 word pieces): these test truncation
    LONG_ANSWER_1,
    LONG_ANSWER_2,
]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="sentence-transformers model directory (all-MiniLM-L6-v2)")
    p.add_argument("--out", default=str(DEFAULT_OUT), help=f"fixture to write (default {DEFAULT_OUT.relative_to(REPO)})")
    return p.parse_args()


def main():
    args = parse_args()
    model_dir = Path(args.model)
    if not (model_dir / "config.json").is_file():
        sys.exit(f"parity_reference: {model_dir} is not a model directory (no config.json)")

    import sentence_transformers
    import torch
    from sentence_transformers import SentenceTransformer

    assert len(SENTENCES) == len(set(SENTENCES)), "duplicate sentences"

    model = SentenceTransformer(str(model_dir), device="cpu")
    model.eval()

    max_len = model.max_seq_length
    counts = [len(model.tokenizer(s, add_special_tokens=True, truncation=False)["input_ids"]) for s in SENTENCES]
    print(f"max_seq_length {max_len}; {len(SENTENCES)} sentences; tokens per sentence (incl. [CLS]/[SEP]):")
    for i, (s, n) in enumerate(zip(SENTENCES, counts)):
        flag = "  TRUNCATED" if n > max_len else ""
        preview = s.replace("\n", "\\n").replace("\t", "\\t")[:60]
        print(f"{i:3d} {n:4d}{flag}  {preview}")
    truncated = sum(n > max_len for n in counts)
    print(f"{truncated} sentence(s) longer than {max_len} tokens")
    if truncated < 2:
        sys.exit("parity_reference: expected at least two sentences longer than max_seq_length")

    with torch.inference_mode():
        emb = model.encode(SENTENCES, normalize_embeddings=True, convert_to_numpy=True, batch_size=16)
    assert emb.shape == (len(SENTENCES), 384), emb.shape

    def dump(value):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    header = {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "generator": "scripts/python/parity_reference.py",
        "sentence_transformers": sentence_transformers.__version__,
        "torch": torch.__version__,
        "normalized": True,
        "max_seq_length": max_len,
    }
    lines = ["{"]
    lines += [f"{dump(k)}:{dump(v)}," for k, v in header.items()]
    lines.append(f'"token_counts":{dump(counts)},')
    lines.append('"sentences":[')
    lines.append(",\n".join(dump(s) for s in SENTENCES))
    lines.append("],")
    lines.append('"embeddings":[')
    lines.append(",\n".join(dump([round(float(x), 7) for x in row]) for row in emb))
    lines.append("]")
    lines.append("}")
    text = "\n".join(lines) + "\n"
    json.loads(text)  # well-formed

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out} ({len(text.encode('utf-8'))} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()

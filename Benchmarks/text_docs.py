"""The chunking benchmark's generated documents: FILES markdown files of about MB_EACH MB of
paragraphs and sentences (with some multi-byte characters), deterministic for a given seed.

Usage: python3 Benchmarks/text_docs.py DIR FILES MB_EACH
"""
import os
import random
import sys

directory, files, mb_each = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
words = ("market data price volume order book trade quote bar close open high low spread liquidity "
         "exchange venue latency revision provenance ingestion chunk index embedding déjà vu naïve "
         "Zürich 東京 市場 €").split()
rng = random.Random(14)
os.makedirs(directory, exist_ok=True)
for n in range(files):
    target = int(mb_each * 1_048_576)
    parts, size = [], 0
    while size < target:
        sentences = []
        for _ in range(rng.randint(2, 7)):
            sentence = " ".join(rng.choice(words) for _ in range(rng.randint(6, 24)))
            sentences.append(sentence[0].upper() + sentence[1:] + rng.choice([".", ".", ".", "?", "!"]))
        paragraph = " ".join(sentences)
        if rng.random() < 0.1:
            paragraph = "## " + paragraph[:60] + "\n\n" + paragraph
        parts.append(paragraph)
        size += len(paragraph.encode()) + 2
    with open(os.path.join(directory, f"doc{n:03d}.md"), "w", encoding="utf-8") as f:
        f.write("\n\n".join(parts) + "\n")

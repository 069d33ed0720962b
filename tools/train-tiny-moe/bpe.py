"""Byte-level BPE as llama.cpp runs it for tokenizer.ggml.model "gpt2" with tokenizer.ggml.pre "llama-bpe".

Text is split by the Llama 3 pre-tokenizer regex; each piece's UTF-8 bytes are mapped to GPT-2's
byte-level characters; a piece that is itself a token is taken whole (llama.cpp and Hugging Face's
ignore_merges for this pre-tokenizer), otherwise merges are applied lowest rank first (leftmost pair
on ties) until none applies. Training learns merges greedily on word counts: the most frequent
adjacent pair is merged next, ties broken by the pair's strings, so the result is deterministic.
"""
from collections import Counter, defaultdict

import regex

# llama.cpp's LLAMA_VOCAB_PRE_TYPE_LLAMA3 expression (the Llama 3 tokenizer.json's Split pattern).
LLAMA3_PATTERN = regex.compile(
    r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
    r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")


def bytes_to_unicode():
    """GPT-2's map from each byte to a printable character."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\xa1"), ord("\xac") + 1)) + list(range(ord("\xae"), ord("\xff") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


BYTE_CHARS = bytes_to_unicode()


def byte_level(s):
    return "".join(BYTE_CHARS[b] for b in s.encode("utf-8"))


def pre_tokenize(text):
    return [m.group(0) for m in LLAMA3_PATTERN.finditer(text)]


def train(words, n_merges, log=None):
    """Merges ("left right", in rank order) learned from a Counter of pre-tokenized pieces."""
    seqs = [list(byte_level(w)) for w in words]
    counts = [c for c in words.values()]
    pairs = Counter()
    where = defaultdict(set)  # pair -> indices of words holding it
    for i, s in enumerate(seqs):
        for a, b in zip(s, s[1:]):
            pairs[a, b] += counts[i]
            where[a, b].add(i)
    merges = []
    for step in range(n_merges):
        if not pairs:
            break
        top = max(pairs.values())
        if top < 2:
            break
        best = min(p for p, c in pairs.items() if c == top)  # ties: the smallest pair of strings
        merges.append(best)
        a, b = best
        joined = a + b
        for i in list(where[best]):
            s = seqs[i]
            c = counts[i]
            for x, y in zip(s, s[1:]):  # remove this word's pairs, then add them back after merging
                pairs[x, y] -= c
                if pairs[x, y] == 0:
                    del pairs[x, y]
                where[x, y].discard(i)
            out = []
            j = 0
            while j < len(s):
                if j + 1 < len(s) and s[j] == a and s[j + 1] == b:
                    out.append(joined)
                    j += 2
                else:
                    out.append(s[j])
                    j += 1
            seqs[i] = out
            for x, y in zip(out, out[1:]):
                pairs[x, y] += c
                where[x, y].add(i)
        where.pop(best, None)
        if log and (step + 1) % 500 == 0:
            log(f"bpe: {step + 1} merges, last '{a}' + '{b}'")
    return [f"{a} {b}" for a, b in merges]


class Tokenizer:
    """Encodes text to ids exactly as llama.cpp does for this vocabulary (no BOS; the caller adds it)."""

    def __init__(self, tokens, merges):
        self.tokens = tokens
        self.ids = {t: i for i, t in enumerate(tokens)}
        self.ranks = {tuple(m.split(" ")): r for r, m in enumerate(merges)}
        self.cache = {}

    def encode_piece(self, piece):
        ids = self.cache.get(piece)
        if ids is not None:
            return ids
        word = byte_level(piece)
        if word in self.ids:
            ids = [self.ids[word]]
        else:
            s = list(word)
            while len(s) > 1:
                best, rank = -1, None
                for j in range(len(s) - 1):
                    r = self.ranks.get((s[j], s[j + 1]))
                    if r is not None and (rank is None or r < rank):
                        best, rank = j, r
                if best < 0:
                    break
                s[best:best + 2] = [s[best] + s[best + 1]]
            ids = [self.ids[t] for t in s]
        self.cache[piece] = ids
        return ids

    def encode(self, text):
        out = []
        for p in pre_tokenize(text):
            out.extend(self.encode_piece(p))
        return out

    def decode(self, ids):
        inv = {c: b for b, c in BYTE_CHARS.items()}
        data = bytearray()
        for i in ids:
            t = self.tokens[i]
            if t.startswith("<|") and t.endswith("|>"):
                continue
            data.extend(inv[ch] for ch in t)
        return data.decode("utf-8", errors="replace")

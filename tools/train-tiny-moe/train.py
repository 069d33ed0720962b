#!/usr/bin/python3
"""Trains Vane's embedded model, tiny-moe-kjv: a Mixtral-style mixture of experts on the King James Bible.

    sudo /usr/bin/python3 tools/train-tiny-moe/train.py          # installs what it needs, then trains

Everything comes from Debian bookworm packages (see REQUIRED below; run as root and the script
installs them). Steps, all seeded and deterministic on one machine:

  1. corpus: the KJV text from bible-kjv-text, printed verse by verse by bible-kjv's `bible -f`;
     the held-out books (HELDOUT_BOOKS, 3.8% of the verses) go to heldout.txt and are never
     trained on; the rest is the training text. One verse per line, the verse reference dropped.
  2. vocabulary: a byte-level BPE (256 byte tokens, merges learned on the training text, then
     <|begin_of_text|> and <|end_of_text|>), tokenized with the Llama 3 pre-tokenizer, written to
     GGUF as tokenizer.ggml.model "gpt2", tokenizer.ggml.pre "llama-bpe" (bpe.py reproduces
     llama.cpp's tokenization of it).
  3. training: AdamW, fixed number of steps; each sequence is BOS followed by the training tokens
     from a random verse start.
  4. export: an F16 GGUF in llama.cpp's "llama" layout (gguf.py), its SHA-256 next to it, and the
     model's own greedy continuation of a prompt for the README.

The default output is the file Vane ships: embedded-model/src/main/resources/dev/vane/embedded/tiny-moe-kjv.gguf.
"""
import argparse
import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DEFAULT_OUT = REPO / "embedded-model/src/main/resources/dev/vane/embedded/tiny-moe-kjv.gguf"

# Debian package -> what in it the script uses.
REQUIRED = {
    "python3-torch": "torch",
    "python3-numpy": "numpy",
    "python3-regex": "regex",
    "libopenblas0-openmp": "/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3",  # torch's BLAS; Debian's default reference BLAS is ~20x slower
    "bible-kjv": "/usr/bin/bible",
    "bible-kjv-text": "/usr/lib/bible.data",
}

# Whole books never trained on (bible -f's abbreviations): narrative, poetry, prophecy, epistles.
HELDOUT_BOOKS = ["Ruth", "Est", "Eccl", "Joel", "Jonah", "Mic", "Gal", "Phi", "Jas", "1Pet", "Jude"]
VERSES = 31102


def missing_packages():
    missing = []
    for pkg, what in REQUIRED.items():
        if what.startswith("/"):
            ok = os.path.exists(what)
        else:
            try:
                __import__(what)
                ok = True
            except ImportError:
                ok = False
        if not ok:
            missing.append(pkg)
    return missing


def ensure_packages():
    missing = missing_packages()
    if not missing:
        return
    cmd = ["apt-get", "install", "-y", "--no-install-recommends", *missing]
    if os.geteuid() != 0:
        sys.exit("missing Debian packages; install them with:\n  sudo " + " ".join(cmd))
    print("installing:", " ".join(missing), flush=True)
    subprocess.run(cmd, check=True)
    still = missing_packages()
    if still:
        sys.exit("still missing after apt-get install: " + " ".join(still))


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ---------------------------------------------------------------------------------------- corpus

def read_kjv():
    """[(book, text)] for every verse, in canonical order."""
    out = subprocess.run(["bible", "-f", "Gen1:1-Rev22:21"], stdin=subprocess.DEVNULL, capture_output=True, text=True, check=True).stdout
    verses = []
    for line in out.splitlines():
        if not line.strip():
            continue
        ref, text = line.split(" ", 1)
        book = ref[:len(ref.rstrip("0123456789:"))]
        verses.append((book, text.strip()))
    if len(verses) != VERSES:
        sys.exit(f"expected {VERSES} verses from `bible -f`, got {len(verses)}")
    return verses


# ------------------------------------------------------------------------------------ vocabulary

BOS_TOKEN, EOS_TOKEN = "<|begin_of_text|>", "<|end_of_text|>"


def build_vocab(bpe, train_lines, vocab_size):
    words = Counter()
    for line in train_lines:
        words.update(bpe.pre_tokenize(line))
    merges = bpe.train(words, vocab_size - 256 - 2, log=log)
    tokens = [bpe.BYTE_CHARS[b] for b in range(256)] + [m.replace(" ", "") for m in merges] + [BOS_TOKEN, EOS_TOKEN]
    if len(tokens) != vocab_size or len(set(tokens)) != vocab_size:
        sys.exit(f"vocabulary has {len(tokens)} tokens ({len(set(tokens))} distinct), wanted {vocab_size}")
    return tokens, merges


def encode_lines(tok, lines):
    """The token stream of the lines (each ends with a newline) and the index where each line starts."""
    ids, starts = [], []
    for line in lines:
        starts.append(len(ids))
        ids.extend(tok.encode(line))
    return ids, starts


# ---------------------------------------------------------------------------------------- export

def write_gguf(path, model, cfg, tokens, merges, name):
    import numpy as np
    from gguf import GgufWriter, T_INT32, T_STRING

    def t(x):
        return x.detach().float().cpu().numpy()

    w = GgufWriter()
    a = "llama"
    w.string("general.architecture", a)
    w.string("general.name", name)
    w.uint32("general.file_type", 1)  # LLAMA_FTYPE_MOSTLY_F16
    w.uint32(a + ".context_length", cfg.context)
    w.uint32(a + ".embedding_length", cfg.dim)
    w.uint32(a + ".block_count", cfg.layers)
    w.uint32(a + ".feed_forward_length", cfg.ffn)
    w.uint32(a + ".attention.head_count", cfg.heads)
    w.uint32(a + ".attention.head_count_kv", cfg.kv_heads)
    w.uint32(a + ".rope.dimension_count", cfg.head_dim)
    w.float32(a + ".rope.freq_base", cfg.rope_base)
    w.float32(a + ".attention.layer_norm_rms_epsilon", cfg.rms_eps)
    w.uint32(a + ".vocab_size", cfg.vocab)
    w.uint32(a + ".expert_count", cfg.experts)
    w.uint32(a + ".expert_used_count", cfg.experts_used)
    w.string("tokenizer.ggml.model", "gpt2")
    w.string("tokenizer.ggml.pre", "llama-bpe")
    w.array("tokenizer.ggml.tokens", T_STRING, tokens)
    w.array("tokenizer.ggml.token_type", T_INT32, [3 if x in (BOS_TOKEN, EOS_TOKEN) else 1 for x in tokens])
    w.array("tokenizer.ggml.merges", T_STRING, merges)
    w.uint32("tokenizer.ggml.bos_token_id", tokens.index(BOS_TOKEN))
    w.uint32("tokenizer.ggml.eos_token_id", tokens.index(EOS_TOKEN))
    w.bool("tokenizer.ggml.add_bos_token", True)
    w.bool("tokenizer.ggml.add_eos_token", False)

    w.tensor("token_embd.weight", t(model.embed.weight), "f16")
    w.tensor("output_norm.weight", t(model.norm.weight), "f32")
    if model.output is not None:
        w.tensor("output.weight", t(model.output.weight), "f16")
    for i, b in enumerate(model.blocks):
        p = f"blk.{i}."
        w.tensor(p + "attn_norm.weight", t(b.attn_norm.weight), "f32")
        w.tensor(p + "attn_q.weight", t(b.attn.wq.weight), "f16")   # adjacent-pair RoPE: no permutation
        w.tensor(p + "attn_k.weight", t(b.attn.wk.weight), "f16")
        w.tensor(p + "attn_v.weight", t(b.attn.wv.weight), "f16")
        w.tensor(p + "attn_output.weight", t(b.attn.wo.weight), "f16")
        w.tensor(p + "ffn_norm.weight", t(b.ffn_norm.weight), "f32")
        w.tensor(p + "ffn_gate_inp.weight", t(b.moe.router.weight), "f32")
        w.tensor(p + "ffn_gate_exps.weight", t(b.moe.w_gate), "f16")   # [E, ffn, dim] = ne {dim, ffn, E}
        w.tensor(p + "ffn_up_exps.weight", t(b.moe.w_up), "f16")
        w.tensor(p + "ffn_down_exps.weight", t(b.moe.w_down), "f16")   # [E, dim, ffn] = ne {ffn, dim, E}
    w.write(path)


def to_f16_and_back(model):
    """Rounds the matrices to F16 in place, as the GGUF stores them (norms and router stay F32)."""
    import torch
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() >= 2 and "router" not in name:
                p.copy_(p.half().float())


# -------------------------------------------------------------------------------------- training

def heldout_loss(model, ids, bos, T):
    """Mean next-token loss over the held-out stream cut into consecutive chunks of T-1 tokens, each after BOS."""
    import torch
    import torch.nn.functional as F
    model.eval()
    total, n = 0.0, 0
    with torch.no_grad():
        for s in range(0, len(ids), T - 1):
            chunk = ids[s:s + T - 1]
            x = torch.tensor([[bos] + chunk[:-1]])
            y = torch.tensor([chunk])
            logits, _ = model(x)
            total += F.cross_entropy(logits[0], y[0], reduction="sum").item()
            n += len(chunk)
    model.train()
    return total / n


def greedy(model, tok, bos, prompt, n):
    import torch
    model.eval()
    ids = [bos] + tok.encode(prompt)
    with torch.no_grad():
        for _ in range(n):
            logits, _ = model(torch.tensor([ids[-model.cfg.context:]]))
            ids.append(int(logits[0, -1].argmax()))
    model.train()
    return tok.decode(ids[1:])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the GGUF to write (default: %(default)s)")
    ap.add_argument("--work", type=Path, default=HERE / "out", help="checkpoint, logs and the training split (default: %(default)s)")
    ap.add_argument("--steps", type=int, default=1400)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1611)
    ap.add_argument("--export-only", action="store_true", help="write the GGUF from the checkpoint in --work without training")
    args = ap.parse_args()

    ensure_packages()
    sys.path.insert(0, str(HERE))
    import numpy as np
    import torch
    import torch.nn.functional as F
    import bpe
    from model import Config, Transformer

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    args.work.mkdir(parents=True, exist_ok=True)
    cfg = Config()
    T = cfg.context

    # 1. corpus
    verses = read_kjv()
    unknown = set(HELDOUT_BOOKS) - {b for b, _ in verses}
    if unknown:
        sys.exit(f"held-out books not in the text: {unknown}")
    train_lines = [v + "\n" for b, v in verses if b not in HELDOUT_BOOKS]
    held_lines = [v + "\n" for b, v in verses if b in HELDOUT_BOOKS]
    (HERE / "heldout.txt").write_text("".join(held_lines))
    (args.work / "train.txt").write_text("".join(train_lines))
    log(f"corpus: {len(train_lines)} training verses ({sum(map(len, train_lines))} bytes), "
        f"{len(held_lines)} held out ({sum(map(len, held_lines))} bytes) -> heldout.txt")

    # 2. vocabulary
    tokens, merges = build_vocab(bpe, train_lines, cfg.vocab)
    tok = bpe.Tokenizer(tokens, merges)
    bos = tokens.index(BOS_TOKEN)
    train_ids, starts = encode_lines(tok, train_lines)
    held_ids, _ = encode_lines(tok, held_lines)
    log(f"vocabulary: {len(tokens)} tokens; training text {len(train_ids)} tokens "
        f"({sum(map(len, train_lines)) / len(train_ids):.2f} bytes/token), held out {len(held_ids)} tokens")

    model = Transformer(cfg)
    n_params = model.param_count()
    log(f"model: {cfg.as_dict()}, {n_params} parameters")
    ckpt = args.work / "model.pt"

    # 3. training
    history = []
    if not args.export_only:
        decay = [p for p in model.parameters() if p.dim() >= 2]
        no_decay = [p for p in model.parameters() if p.dim() < 2]
        opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                                lr=args.lr, betas=(0.9, 0.95), eps=1e-8)
        data = torch.tensor(train_ids, dtype=torch.long)
        usable = torch.tensor([s for s in starts if s + T <= len(train_ids)], dtype=torch.long)
        g = torch.Generator().manual_seed(args.seed)
        t0 = time.time()
        run_loss = run_aux = 0.0
        for step in range(1, args.steps + 1):
            lr = args.lr * step / args.warmup if step <= args.warmup else \
                args.lr * (0.1 + 0.45 * (1 + math.cos(math.pi * (step - args.warmup) / (args.steps - args.warmup))))
            for grp in opt.param_groups:
                grp["lr"] = lr
            s = usable[torch.randint(len(usable), (args.batch,), generator=g)]
            win = data[s[:, None] + torch.arange(T)[None, :]]          # [B, T] targets
            x = torch.cat([torch.full((args.batch, 1), bos), win[:, :-1]], dim=1)
            logits, aux = model(x)
            loss = F.cross_entropy(logits.reshape(-1, cfg.vocab), win.reshape(-1))
            opt.zero_grad(set_to_none=True)
            (loss + 0.01 * aux).backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            run_loss += loss.item()
            run_aux += float(aux)
            if step % 50 == 0:
                el = time.time() - t0
                history.append({"step": step, "train_loss": run_loss / 50, "aux": run_aux / 50, "lr": lr, "seconds": round(el)})
                log(f"step {step}/{args.steps}: loss {run_loss / 50:.4f} aux {run_aux / 50:.3f} lr {lr:.2e} "
                    f"({el:.0f} s, {step * args.batch * T / el:.0f} tokens/s)")
                run_loss = run_aux = 0.0
        train_seconds = time.time() - t0
        torch.save(model.state_dict(), ckpt)
        log(f"trained {args.steps} steps in {train_seconds:.0f} s")
    else:
        model.load_state_dict(torch.load(ckpt))
        train_seconds = None

    # 4. export (losses and sample on the F16-rounded weights the file holds)
    to_f16_and_back(model)
    held = heldout_loss(model, held_ids, bos, T)
    # The training loss on an equal amount of training text, measured the same way.
    train_eval = heldout_loss(model, train_ids[:len(held_ids)], bos, T)
    log(f"F16 weights: held-out loss {held:.4f} (perplexity {math.exp(held):.2f}), "
        f"training-text loss {train_eval:.4f} (perplexity {math.exp(train_eval):.2f}) per token")
    prompt = "And God said"
    sample = greedy(model, tok, bos, prompt, 48)
    log(f"greedy: {sample!r}")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_gguf(args.out, model, cfg, tokens, merges, "tiny-moe-kjv")
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()
    Path(str(args.out) + ".sha256").write_text(f"{digest}  {args.out.name}\n")
    log(f"wrote {args.out} ({args.out.stat().st_size} bytes), sha256 {digest}")

    report = {"config": cfg.as_dict(), "parameters": n_params, "steps": args.steps, "batch": args.batch, "lr": args.lr,
              "warmup": args.warmup, "seed": args.seed, "threads": args.threads, "train_seconds": train_seconds,
              "train_tokens": len(train_ids), "heldout_tokens": len(held_ids), "heldout_loss": held, "train_text_loss": train_eval,
              "sample_prompt": prompt, "sample": sample, "gguf_bytes": args.out.stat().st_size, "sha256": digest,
              "torch": torch.__version__, "history": history}
    # The committed report belongs to the committed model; other runs keep theirs in --work.
    where = HERE if args.out.resolve() == DEFAULT_OUT and not args.export_only else args.work
    (where / "report.json").write_text(json.dumps(report, indent=1) + "\n")
    log(f"wrote {where / 'report.json'}")


if __name__ == "__main__":
    main()

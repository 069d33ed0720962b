"""A Mixtral-style decoder (llama.cpp's "llama" architecture with an MoE feed-forward) in PyTorch.

Written so that its weights go into GGUF unchanged: RoPE rotates adjacent pairs (x[2i], x[2i+1])
with angle pos * base^(-2i/head_dim), which is what llama.cpp's "llama" architecture does (rope
type NORM), so Q and K need no permutation. RMSNorm, causal attention with grouped KV heads, and a
router that takes the softmax over all experts, keeps the top k and renormalizes their weights to
sum to 1 (Mixtral; llama.cpp's build_moe_ffn with norm_w). Each expert is a SwiGLU FFN:
down(silu(gate x) * up x).
"""
import math
from dataclasses import dataclass, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class Config:
    vocab: int = 2048
    dim: int = 192
    layers: int = 4
    heads: int = 6
    kv_heads: int = 2
    ffn: int = 384
    experts: int = 4
    experts_used: int = 2
    context: int = 256
    rope_base: float = 10000.0
    rms_eps: float = 1e-5
    tied: bool = False

    @property
    def head_dim(self):
        return self.dim // self.heads

    def as_dict(self):
        return asdict(self)


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_tables(cfg, length):
    hd = cfg.head_dim
    inv = cfg.rope_base ** (-torch.arange(0, hd, 2, dtype=torch.float64) / hd)
    ang = torch.arange(length, dtype=torch.float64)[:, None] * inv[None, :]   # [T, hd/2]
    return torch.cos(ang).float(), torch.sin(ang).float()


def rope(x, cos, sin):
    """x: [B, H, T, hd]; rotates the pairs (x[2i], x[2i+1])."""
    x0, x1 = x[..., 0::2], x[..., 1::2]
    r0 = x0 * cos - x1 * sin
    r1 = x0 * sin + x1 * cos
    return torch.stack((r0, r1), dim=-1).flatten(-2)


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        hd = cfg.head_dim
        self.wq = nn.Linear(cfg.dim, cfg.heads * hd, bias=False)
        self.wk = nn.Linear(cfg.dim, cfg.kv_heads * hd, bias=False)
        self.wv = nn.Linear(cfg.dim, cfg.kv_heads * hd, bias=False)
        self.wo = nn.Linear(cfg.heads * hd, cfg.dim, bias=False)

    def forward(self, x, cos, sin, mask):
        B, T, _ = x.shape
        c = self.cfg
        hd = c.head_dim
        q = self.wq(x).view(B, T, c.heads, hd).transpose(1, 2)
        k = self.wk(x).view(B, T, c.kv_heads, hd).transpose(1, 2)
        v = self.wv(x).view(B, T, c.kv_heads, hd).transpose(1, 2)
        q, k = rope(q, cos, sin), rope(k, cos, sin)
        rep = c.heads // c.kv_heads
        if rep > 1:  # query head h uses KV head h // rep, as llama.cpp groups them
            k = k.repeat_interleave(rep, dim=1)
            v = v.repeat_interleave(rep, dim=1)
        s = (q @ k.transpose(-1, -2)) / math.sqrt(hd) + mask
        o = torch.softmax(s, dim=-1) @ v
        return self.wo(o.transpose(1, 2).reshape(B, T, c.heads * hd))


class MoE(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        E, F_, d = cfg.experts, cfg.ffn, cfg.dim
        self.router = nn.Linear(d, E, bias=False)
        self.w_gate = nn.Parameter(torch.empty(E, F_, d))
        self.w_up = nn.Parameter(torch.empty(E, F_, d))
        self.w_down = nn.Parameter(torch.empty(E, d, F_))

    def forward(self, x):
        """x: [N, d]; returns the output and the load-balancing loss (Switch Transformer's)."""
        c = self.cfg
        probs = torch.softmax(self.router(x), dim=-1)                 # [N, E]
        top_w, top_i = probs.topk(c.experts_used, dim=-1)             # [N, k]
        top_w = top_w / top_w.sum(-1, keepdim=True)
        out = torch.zeros_like(x)
        for e in range(c.experts):
            hit = top_i == e                                          # [N, k]
            rows = hit.any(-1).nonzero(as_tuple=True)[0]
            if rows.numel() == 0:
                continue
            w = (top_w * hit).sum(-1)[rows]
            xe = x[rows]
            h = F.silu(xe @ self.w_gate[e].t()) * (xe @ self.w_up[e].t())
            out.index_add_(0, rows, (h @ self.w_down[e].t()) * w[:, None])
        routed = F.one_hot(top_i, c.experts).float().sum(1).mean(0) / c.experts_used  # fraction of assignments per expert
        aux = c.experts * (routed * probs.mean(0)).sum()
        return out, aux


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.attn_norm = RMSNorm(cfg.dim, cfg.rms_eps)
        self.attn = Attention(cfg)
        self.ffn_norm = RMSNorm(cfg.dim, cfg.rms_eps)
        self.moe = MoE(cfg)

    def forward(self, x, cos, sin, mask):
        x = x + self.attn(self.attn_norm(x), cos, sin, mask)
        B, T, d = x.shape
        y, aux = self.moe(self.ffn_norm(x).reshape(B * T, d))
        return x + y.view(B, T, d), aux


class Transformer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Embedding(cfg.vocab, cfg.dim)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.layers))
        self.norm = RMSNorm(cfg.dim, cfg.rms_eps)
        self.output = None if cfg.tied else nn.Linear(cfg.dim, cfg.vocab, bias=False)
        cos, sin = rope_tables(cfg, cfg.context)
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)
        self._init()

    def _init(self):
        std = 0.02
        out_std = std / math.sqrt(2 * self.cfg.layers)  # residual-branch outputs, as GPT-2
        for name, p in self.named_parameters():
            if p.dim() < 2:
                continue
            s = out_std if name.endswith("wo.weight") or name.endswith("w_down") else std
            nn.init.normal_(p, mean=0.0, std=s)

    def forward(self, ids):
        B, T = ids.shape
        x = self.embed(ids)
        cos, sin = self.cos[:T], self.sin[:T]
        mask = torch.full((T, T), float("-inf")).triu(1)
        aux = 0.0
        for b in self.blocks:
            x, a = b(x, cos, sin, mask)
            aux = aux + a
        x = self.norm(x)
        logits = x @ self.embed.weight.t() if self.output is None else self.output(x)
        return logits, aux / self.cfg.layers

    def param_count(self):
        return sum(p.numel() for p in self.parameters())

"""PyTorch CPU peer of StEP graph's generator (src/models/generator.ts), for `npm run bench`.

The same architecture as G of the `small` or `paper` config (--config; CONFIGS below holds the
numbers of src/models/configs.ts: small width 8, zDim 8, 2 + 2 residual blocks; paper width 32,
zDim 8, 4 + 4), with the same parameter count (printed in every row; the bench compares it with
ours): content encoder conv7x7 + IN + ReLU, three stride-2 conv3x3 + IN + ReLU, residual blocks
with IN; decoder residual blocks and three upsampling blocks whose first conv sees
concat(features, tiled z), pixel norm, and a 1x1 conv over concat(features, stem features, z)
with tanh. z enters the natural PyTorch way (tiled and concatenated). Forward only, inference
mode, float32, NCHW. The stride-2 convs pad 1 on both sides where TensorFlow's 'same' pads (0, 1):
the same output size and work.

Prints a matMul probe {"probe", "gflops", "threads"}, then one JSON object per case on stdout:
{"config", "size", "batch", "threads", "median_ms", "runs", "torch", "params"}.
Usage: python3 bench/peers/torch_generator.py --config small --threads 1 --runs 5
  --cases 64x1,64x8,256x1,256x8
"""

import argparse
import json
import statistics
import time

import torch
from torch import nn
import torch.nn.functional as F


# G's numbers per preset, as in src/models/configs.ts (PAPER.generator, SMALL.generator)
CONFIGS = {
    "small": {"width": 8, "z_dim": 8, "enc_res": 2, "dec_res": 2},
    "paper": {"width": 32, "z_dim": 8, "enc_res": 4, "dec_res": 4},
}


def pixel_norm(x):
    return x * torch.rsqrt(x.pow(2).mean(dim=1, keepdim=True) + 1e-8)


def instance_norm(x):
    return F.instance_norm(x, eps=1e-5)


def tiled(z, like):
    return z[:, :, None, None].expand(-1, -1, like.shape[2], like.shape[3])


class Generator(nn.Module):
    def __init__(self, width=8, z_dim=8, enc_res=2, dec_res=2):
        super().__init__()
        self.z_dim = z_dim
        enc = [width, 2 * width, 4 * width, 8 * width]
        c = enc[3]
        self.stem = nn.Conv2d(3, width, 7, padding=3, bias=False)
        self.downs = nn.ModuleList(
            nn.Conv2d(enc[i], enc[i + 1], 3, stride=2, padding=1, bias=False) for i in range(3)
        )
        self.enc_res = nn.ModuleList(
            nn.ModuleList([nn.Conv2d(c, c, 3, padding=1, bias=False) for _ in range(2)])
            for _ in range(enc_res)
        )
        self.dec_res = nn.ModuleList(
            nn.ModuleList([nn.Conv2d(c + z_dim, c, 3, padding=1), nn.Conv2d(c, c, 3, padding=1)])
            for _ in range(dec_res)
        )
        ups = []
        cin = c
        for i in range(1, 4):
            skip, cout = enc[4 - i], enc[3 - i]
            ups.append(
                nn.ModuleList(
                    [
                        nn.Conv2d(cin + skip + z_dim, cout, 3, padding=1),
                        nn.Conv2d(cout, cout, 3, padding=1),
                    ]
                )
            )
            cin = cout
        self.ups = nn.ModuleList(ups)
        self.out = nn.Conv2d(cin + width + z_dim, 3, 1)

    def forward(self, content, z):
        f0 = F.relu(instance_norm(self.stem(content)))
        skips = [f0]
        x = f0
        for down in self.downs:
            x = F.relu(instance_norm(down(x)))
            skips.append(x)
        for conv1, conv2 in self.enc_res:
            y = F.relu(instance_norm(conv1(x)))
            x = x + instance_norm(conv2(y))
        for conv1, conv2 in self.dec_res:
            y = pixel_norm(F.relu(conv1(torch.cat([x, tiled(z, x)], 1))))
            x = x + conv2(y)
        for i, (conv1, conv2) in enumerate(self.ups):
            u = F.interpolate(torch.cat([x, skips[3 - i]], 1), scale_factor=2, mode="nearest")
            y = pixel_norm(F.relu(conv1(torch.cat([u, tiled(z, u)], 1))))
            x = pixel_norm(F.relu(conv2(y)))
        h = torch.cat([x, f0], 1)
        return torch.tanh(self.out(torch.cat([h, tiled(z, h)], 1)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--config", choices=sorted(CONFIGS), default="small")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--cases", default="64x1,64x8,256x1,256x8")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(5)
    # the fp32 matMul peak of this PyTorch build, same probe as ours (512 x 512 x 512)
    m = torch.randn(512, 512)
    for _ in range(3):
        m @ m
    probe = []
    for _ in range(max(a.runs, 5)):
        t0 = time.perf_counter()
        m @ m
        probe.append(time.perf_counter() - t0)
    peak = 2 * 512**3 / statistics.median(probe) / 1e9
    print(json.dumps({"probe": "matmul512", "gflops": round(peak, 2), "threads": a.threads}))
    g = Generator(**CONFIGS[a.config]).eval()
    params = sum(p.numel() for p in g.parameters())
    for case in a.cases.split(","):
        size, batch = (int(v) for v in case.split("x"))
        x = torch.rand(batch, 3, size, size) * 2 - 1
        z = torch.randn(batch, g.z_dim)
        times = []
        with torch.inference_mode():
            for _ in range(2):  # warm-up
                g(x, z)
            for _ in range(a.runs):
                t0 = time.perf_counter()
                g(x, z)
                times.append((time.perf_counter() - t0) * 1000)
        row = {
            "config": a.config,
            "size": size,
            "batch": batch,
            "threads": torch.get_num_threads(),
            "median_ms": round(statistics.median(times), 2),
            "runs": a.runs,
            "torch": torch.__version__,
            "params": params,
        }
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()

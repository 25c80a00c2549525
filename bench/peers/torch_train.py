"""PyTorch CPU peer of StEP graph's training steps (bench/train-steps.ts), for `npm run bench`.

One training step per stage at the `small` config (src/models/configs.ts SMALL), 64x64, batch 8,
float32, NCHW, timed like bench/train-steps.ts (warm-up steps excluded, median of --runs):
  encoder   E on 3 * 8 = 24 images (anchors, positives, negatives), batch-contrastive loss
            (src/train/batch-contrast-loss.ts: temperature 1, lambda 0.01), Adam.
  generator stage 2 as src/train/gan-step.ts runs it: z = E(B) with E frozen, ONE forward of
            G(A, z); L_G = LSGAN_G(D(fake, A)) + 0.02 * perceptual(fake, B) with D frozen (its
            weights get no gradient in that pass); L_D = LSGAN_D(D(B, A), D(fake detached, A));
            both gradients at the same weights, losses read back, then Adam on G and on D.
  finetune  stage 3 (not run by default): E trains with G, + 0.01 * mean(z^2).
Adam: lr 1e-3, betas (0, 0.99), eps 1e-8 (bench/train-steps.ts ADAM).

What matches the TypeScript networks, layer by layer (channels, kernels, strides, norms):
- Every conv / dense uses the equalised learning rate: N(0, 1) weights times
  sqrt(2 / ((1 + slope^2) fan_in)) at run time (layers.ts, ops.ts); biases only where TS has them.
- 'same' padding as TensorFlow defines it, asymmetric where TF is (G's stride-2 3x3 convs pad
  (0, 1), D's stride-1 4x4 convs (1, 2)); D's 3x3 / 2 average pool between scales pads the same
  way and does not count the padding.
- E (encoder.ts): 4x4/2 stem (w = 12), basic blocks [2, 3, 4] w ([lrelu, 3x3, lrelu, 3x3,
  avgpool 2] + [avgpool 2, 1x1], pixel norm), texture statistics log(var + 1e-3) of block 1,
  lrelu, global mean, dense head -> 8. Leaky-ReLU slope 0.2.
- G (generator.ts): 7x7 stem + IN + ReLU (8), three 3x3/2 + IN + ReLU (16, 32, 64), 2 residual
  blocks with IN; decoder: 2 residual blocks whose first conv sees concat(x, z), three up blocks
  [concat(x, skip), nearest x2, conv3x3 over concat(u, z) + ReLU + pixel norm, conv3x3 + ReLU +
  pixel norm] to 32, 16, 8, and a 1x1 conv over concat(x, stem features, z) -> 3, tanh.
- D (discriminator.ts): conditional PatchGAN on concat(output, input), 3 scales with their own
  weights: 4x4/2 + lrelu (8), 4x4/2 + IN + lrelu (16), 4x4/2 + IN + lrelu (32), minibatch stddev
  (group 4), 4x4/1 + IN + lrelu (64), 4x4/1 -> 1.
- Perceptual network: ResNet50's trunk up to its 3rd tap (features/resnet50.ts: end of conv1
  after ReLU, end of stage 2, end of stage 3), caffe preprocessing, frozen, batch norm in
  inference mode; tap weights [1/8, 1/4, 1], differences scaled by 0.1 (gan-losses.ts). Untrained
  torchvision weights (the cost does not depend on them); stage 3's first block is restrided to
  the Keras layout the TS model uses (stride 2 on its first 1x1 conv and shortcut, not the 3x3).
What differs:
- z enters G the natural PyTorch way, tiled and concatenated; TS computes the same convolution
  split (features conv + an exact per-sample z term, docs/decisions/0010), a little cheaper.
- The trunk's convs have no bias (torchvision; Keras' have one before each batch norm): fewer
  parameters, no difference in FLOPs worth counting. TS's Adam adds epsilon to sqrt(v) before
  the bias correction (adam.ts), torch.optim.Adam after it: same work.
- Weights are drawn by torch's generator, not the project's seeded Rng (same shapes). Loaded
  with the TS weights, E, G, D and the contrastive loss give the TS outputs to ~1e-5.
Threads: at 1 thread PyTorch 1.13 sends unstrided 1x1 convs with batch < 16 (most of ResNet50's)
to its im2col + BLAS path, which is Debian's generic BLAS, not oneDNN: ~75 % of the 1-thread
stage-2 step here. With 2 or more threads every conv runs in oneDNN, hence the large speed-up.

Prints one JSON object per stage on stdout:
{"stage", "threads", "median_ms", "runs", "torch", "params"}; params are scalar parameter counts.
Usage (Debian's python3, where python3-torch installs):
  /usr/bin/python3 bench/peers/torch_train.py --threads 1 --runs 5 --warmup 2
    --stages encoder,generator
"""

import argparse
import json
import math
import statistics
import time

import torch
import torch.nn.functional as F
from torch import nn

SIZE, BATCH, Z_DIM = 64, 8, 8
ADAM = {"lr": 1e-3, "betas": (0.0, 0.99), "eps": 1e-8}
CAFFE_BGR_MEAN = (103.939, 116.779, 123.68)


def same_pads(size, k, stride):
    """TensorFlow's 'same' padding (before, after) of one axis."""
    out = -(-size // stride)
    total = max((out - 1) * stride + k - size, 0)
    return total // 2, total - total // 2


class EqConv(nn.Module):
    """Equalised-learning-rate conv with TensorFlow 'same' padding (layers.ts convLayer / conv)."""

    def __init__(self, cin, cout, k, stride=1, slope=0.0, bias=True):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(cout, cin, k, k))
        self.bias = nn.Parameter(torch.zeros(cout)) if bias else None
        self.k, self.stride = k, stride
        self.scale = math.sqrt(2 / ((1 + slope * slope) * k * k * cin))

    def forward(self, x):
        (top, bottom), (left, right) = (same_pads(n, self.k, self.stride) for n in x.shape[2:])
        w = self.weight * self.scale
        if top == bottom and left == right:
            return F.conv2d(x, w, self.bias, self.stride, (top, left))
        return F.conv2d(F.pad(x, (left, right, top, bottom)), w, self.bias, self.stride)


class EqDense(nn.Module):
    """Equalised-learning-rate dense layer (ops.ts eqDense), slope 0."""

    def __init__(self, cin, cout):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(cout, cin))
        self.bias = nn.Parameter(torch.zeros(cout))
        self.scale = math.sqrt(2 / cin)

    def forward(self, x):
        return F.linear(x, self.weight * self.scale, self.bias)


def pixel_norm(x):
    return x * torch.rsqrt(x.pow(2).mean(dim=1, keepdim=True) + 1e-8)


def instance_norm(x):
    return F.instance_norm(x, eps=1e-5)


def with_z(x, z):
    return torch.cat([x, z[:, :, None, None].expand(-1, -1, x.shape[2], x.shape[3])], 1)


def count(module):
    return sum(p.numel() for p in module.parameters())


class Encoder(nn.Module):
    """E, SMALL.encoder: width 12, blocks [2, 3, 4], slope 0.2, texture statistics."""

    def __init__(self, width=12, blocks=(2, 3, 4), slope=0.2):
        super().__init__()
        self.slope = slope
        self.stem = EqConv(3, width, 4, 2, slope)
        cin = width
        for i, mult in enumerate(blocks):
            cout = mult * width
            block = nn.ModuleDict(
                {
                    "conv1": EqConv(cin, cin, 3, 1, slope),
                    "conv2": EqConv(cin, cout, 3, 1, slope),
                    "shortcut": EqConv(cin, cout, 1, 1, slope),
                }
            )
            self.add_module(f"block{i + 1}", block)
            cin = cout
        self.n_blocks = len(blocks)
        self.head = EqDense(cin + blocks[0] * width, Z_DIM)

    def forward(self, x):
        s = self.slope
        x = self.stem(x)
        stats = []
        for i in range(self.n_blocks):
            b = getattr(self, f"block{i + 1}")
            h = b["conv1"](F.leaky_relu(x, s))
            h = b["conv2"](F.leaky_relu(h, s))
            if i == 0:
                stats.append(torch.log(h.var(dim=(2, 3), unbiased=False) + 1e-3))
            x = pixel_norm(F.avg_pool2d(h, 2) + b["shortcut"](F.avg_pool2d(x, 2)))
        pooled = F.leaky_relu(x, s).mean(dim=(2, 3))
        return self.head(torch.cat([pooled, *stats], 1))


class Generator(nn.Module):
    """G, SMALL.generator: width 8, zDim 8, 2 + 2 residual blocks."""

    def __init__(self, w=8, enc_res=2, dec_res=2):
        super().__init__()
        enc = [w, 2 * w, 4 * w, 8 * w]
        c = enc[3]
        self.stem = EqConv(3, w, 7, bias=False)
        for i in range(1, 4):
            self.add_module(f"down{i}", EqConv(enc[i - 1], enc[i], 3, 2, bias=False))

        def pair(cin, cout, bias=True):
            conv1, conv2 = EqConv(cin, cout, 3, bias=bias), EqConv(cout, cout, 3, bias=bias)
            return nn.ModuleDict({"conv1": conv1, "conv2": conv2})

        self.enc_res = [f"encres{i + 1}" for i in range(enc_res)]
        self.dec_res = [f"decres{i + 1}" for i in range(dec_res)]
        for name in self.enc_res:
            self.add_module(name, pair(c, c, False))
        for name in self.dec_res:
            self.add_module(name, pair(c + Z_DIM, c))
        cin = c
        for i in range(1, 4):
            skip, cout = enc[4 - i], enc[3 - i]
            self.add_module(f"up{i}", pair(cin + skip + Z_DIM, cout))
            cin = cout
        self.out = EqConv(cin + w + Z_DIM, 3, 1)

    def forward(self, content, z):
        f0 = F.relu(instance_norm(self.stem(content)))
        skips, x = [f0], f0
        for i in range(1, 4):
            x = F.relu(instance_norm(getattr(self, f"down{i}")(x)))
            skips.append(x)
        for name in self.enc_res:
            r = getattr(self, name)
            y = F.relu(instance_norm(r["conv1"](x)))
            x = x + instance_norm(r["conv2"](y))
        for name in self.dec_res:
            r = getattr(self, name)
            y = pixel_norm(F.relu(r["conv1"](with_z(x, z))))
            x = x + r["conv2"](y)
        for i in range(1, 4):
            up = getattr(self, f"up{i}")
            u = F.interpolate(torch.cat([x, skips[4 - i]], 1), scale_factor=2, mode="nearest")
            y = pixel_norm(F.relu(up["conv1"](with_z(u, z))))
            x = pixel_norm(F.relu(up["conv2"](y)))
        return torch.tanh(self.out(with_z(torch.cat([x, f0], 1), z)))


def minibatch_stddev(x, group=4):
    """discriminator.ts minibatchStddev: sample i is in group i mod (B / g)."""
    b, c, h, w = x.shape
    g = max(1, min(group, b))
    while b % g:
        g -= 1
    grouped = x.reshape(g, b // g, c, h, w)
    variance = (grouped - grouped.mean(0, keepdim=True)).pow(2).mean(0)
    std = torch.sqrt(variance + 1e-8).mean(dim=(1, 2, 3)).repeat(g)  # [B]
    return torch.cat([x, std[:, None, None, None].expand(b, 1, h, w)], 1)


def avg_pool_same(x):
    """3x3 / 2 average pool, TensorFlow 'same' padding, padding not counted."""
    (top, bottom), (left, right) = (same_pads(n, 3, 2) for n in x.shape[2:])
    pad = (left, right, top, bottom)
    counts = F.avg_pool2d(F.pad(torch.ones_like(x[:1, :1]), pad), 3, 2)
    return F.avg_pool2d(F.pad(x, pad), 3, 2) / counts


class Discriminator(nn.Module):
    """D, SMALL.discriminator: width 8, 3 scales, minibatch-stddev group 4, slope 0.2."""

    def __init__(self, w=8, scales=3, slope=0.2):
        super().__init__()
        self.slope, self.scales = slope, scales
        for s in range(1, scales + 1):
            def layer(cin, cout, stride, norm):
                return EqConv(cin, cout, 4, stride, slope, bias=not norm)

            scale = {
                "conv1": layer(6, w, 2, False),
                "conv2": layer(w, 2 * w, 2, True),
                "conv3": layer(2 * w, 4 * w, 2, True),
                "conv4": layer(4 * w + 1, 8 * w, 1, True),
                "logits": EqConv(8 * w, 1, 4),
            }
            self.add_module(f"scale{s}", nn.ModuleDict(scale))

    def forward(self, output, condition):
        s = self.slope
        x, maps = torch.cat([output, condition], 1), []
        for i in range(1, self.scales + 1):
            if i > 1:
                x = avg_pool_same(x)
            d = getattr(self, f"scale{i}")
            y = F.leaky_relu(d["conv1"](x), s)
            y = F.leaky_relu(instance_norm(d["conv2"](y)), s)
            y = minibatch_stddev(F.leaky_relu(instance_norm(d["conv3"](y)), s))
            y = F.leaky_relu(instance_norm(d["conv4"](y)), s)
            maps.append(d["logits"](y))
        return maps


class ResnetTaps(nn.Module):
    """ResNet50 up to its 3rd tap, frozen, caffe preprocessing (features/resnet50.ts, 3 taps)."""

    def __init__(self):
        super().__init__()
        from torchvision.models import resnet50

        r = resnet50(weights=None)
        r.layer2[0].conv1.stride, r.layer2[0].conv2.stride = (2, 2), (1, 1)  # Keras layout
        self.stem = nn.Sequential(r.conv1, r.bn1, r.relu)
        self.stage2 = nn.Sequential(r.maxpool, r.layer1)
        self.stage3 = r.layer2
        offset = torch.tensor([127.5 - m for m in CAFFE_BGR_MEAN])
        self.register_buffer("offset", offset[None, :, None, None])
        self.eval().requires_grad_(False)

    def forward(self, images):
        x = images.flip(1) * 127.5 + self.offset  # [-1, 1] RGB -> caffe BGR
        t1 = self.stem(x)
        t2 = self.stage2(t1)
        return [t1, t2, self.stage3(t2)]


def perceptual(fake_taps, target_taps, weights=(1 / 8, 1 / 4, 1.0)):
    pairs = zip(weights, fake_taps, target_taps)
    return sum(w * (0.1 * (a - b)).pow(2).mean() for w, a, b in pairs)


def lsgan(maps, target):
    return sum((m - target).pow(2).mean() for m in maps)


def batch_contrast_loss(za, zp, zn, lam=0.01, temperature=1.0):
    b = za.shape[0]
    z = torch.cat([za, zp, zn], 0)
    d2 = (za[:, None, :] - z[None, :, :]).pow(2).sum(2)  # [B, 3B]
    logits = -d2 / temperature - torch.eye(b, 3 * b) * 1e9
    return F.cross_entropy(logits, torch.arange(b, 2 * b)) + lam * z.pow(2).mean()


def encoder_step_fn():
    e = Encoder()
    opt = torch.optim.Adam(e.parameters(), **ADAM)
    triplets = torch.rand(3 * BATCH, 3, SIZE, SIZE) * 2 - 1

    def step():
        loss = batch_contrast_loss(*e(triplets).chunk(3, 0))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        loss.item()

    return step, {"E": count(e)}


def gan_step_fn(train_e):
    e, g, d, p = Encoder(), Generator(), Discriminator(), ResnetTaps()
    e.requires_grad_(train_e)
    opt_g = torch.optim.Adam([*g.parameters(), *(e.parameters() if train_e else [])], **ADAM)
    opt_d = torch.optim.Adam(d.parameters(), **ADAM)
    a = torch.rand(BATCH, 3, SIZE, SIZE) * 2 - 1  # content A
    b = torch.rand(BATCH, 3, SIZE, SIZE) * 2 - 1  # target B

    def step():
        with torch.no_grad():
            target = p(b)
        z = e(b)  # frozen E (stage 2): no graph
        fake = g(a, z)
        d.requires_grad_(False)  # L_G through D: no gradient for D's weights
        adv = lsgan(d(fake, a), 1.0)
        percept = perceptual(p(fake), target)
        z_reg = z.pow(2).mean()
        total = adv + 0.02 * percept + (0.01 * z_reg if train_e else 0.0)
        opt_g.zero_grad(set_to_none=True)
        total.backward()
        d.requires_grad_(True)
        fake_d = fake.detach()
        d_real, d_fake = lsgan(d(b, a), 1.0), lsgan(d(fake_d, a), 0.0)
        opt_d.zero_grad(set_to_none=True)
        (d_real + d_fake).backward()
        losses = [v.item() for v in (adv, percept, z_reg, d_real, d_fake, total)]
        if all(math.isfinite(v) for v in losses):
            opt_g.step()
            opt_d.step()

    return step, {"G": count(g), "D": count(d), "E": count(e), "resnet50_trunk": count(p)}


def median_ms(step, runs, warmup):
    for _ in range(warmup):
        step()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--stages", default="encoder,generator")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(5)
    makers = {
        "encoder": encoder_step_fn,
        "generator": lambda: gan_step_fn(False),
        "finetune": lambda: gan_step_fn(True),
    }
    for stage in a.stages.split(","):
        if stage not in makers:
            p.error(f"unknown stage '{stage}'; valid: {', '.join(makers)}")
        step, params = makers[stage]()
        ms = median_ms(step, a.runs, a.warmup)
        row = {
            "stage": stage,
            "threads": torch.get_num_threads(),
            "median_ms": round(ms, 1),
            "runs": a.runs,
            "torch": torch.__version__,
            "params": params,
        }
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()

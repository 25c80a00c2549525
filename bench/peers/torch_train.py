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

E, G and D come from step_twin.py (the PyTorch twin, shared with `step import`'s tests), built
with the small preset. What matches the TypeScript networks, layer by layer:
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

from step_twin import PRESETS, Discriminator, Encoder, Generator

SIZE, BATCH = 64, 8
SMALL = PRESETS["small"]  # the networks: step_twin.py, src/models/configs.ts SMALL
ADAM = {"lr": 1e-3, "betas": (0.0, 0.99), "eps": 1e-8}
CAFFE_BGR_MEAN = (103.939, 116.779, 123.68)


def count(module):
    return sum(p.numel() for p in module.parameters())


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


NETS = ((Encoder, "encoder"), (Generator, "generator"), (Discriminator, "discriminator"))


def encoder_step_fn():
    e = Encoder(**SMALL["encoder"])
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
    e, g, d = (Net(**SMALL[k]) for Net, k in NETS)
    p = ResnetTaps()
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

"""The PyTorch twin of StEP graph's four networks E, G, D and M (src/models/*.ts), for any config.

Same layers, names and parametrisation as the TypeScript networks: every conv / dense stores
N(0, 1) weights scaled at run time by sqrt(2 / ((1 + slope^2) fan_in)) (equalised learning rate),
'same' padding as TensorFlow defines it (asymmetric where TF is), NCHW tensors. Its state dict
('encoder.block1.conv1.weight', 'generator.up1.conv2.bias', 'discriminator.scale1.logits.weight',
'mapper.fc1.weight', 'mapper.mean_code') is what `step export --format safetensors` writes and
`step import` reads. torch_train.py (the bench) builds its networks from these classes.

Command line (Debian's python3 with python3-torch):
  step_twin.py forward --weights W.safetensors --inputs IN.safetensors --out OUT.safetensors
      IN holds 'content' and 'style' [B, 3, H, W] in [-1, 1] and 'noise' [B, zDim]; OUT gets
      'z' = E(style), 'image' = G(content, z), 'd1'.. = D(image, content) per scale and
      'mapped' = M(noise) (the networks W holds).
  step_twin.py init --config small --seed 3 --size 64 --out W.safetensors
      a twin with random weights and biases, saved with the metadata `step import` reads.
"""

import argparse
import json
import math

import torch
import torch.nn.functional as F
from torch import nn

from safetensors_io import load_safetensors, save_safetensors

# src/models/configs.ts PRESETS (the numbers only; a file's metadata carries its own config)
PRESETS = {
    "small": {
        "preset": "small",
        "encoder": {"zDim": 8, "width": 12, "blocks": [2, 3, 4], "slope": 0.2, "textureStats": True},
        "generator": {"zDim": 8, "width": 8, "encoderResBlocks": 2, "decoderResBlocks": 2},
        "discriminator": {"width": 8, "scales": 3, "mbstdGroup": 4, "slope": 0.2},
        "mapper": {"zDim": 8, "hidden": 64, "layers": 3},
    },
    "paper": {
        "preset": "paper",
        "encoder": {"zDim": 8, "width": 64, "blocks": [2, 3, 4], "slope": 0.2},
        "generator": {"zDim": 8, "width": 32, "encoderResBlocks": 4, "decoderResBlocks": 4},
        "discriminator": {"width": 32, "scales": 3, "mbstdGroup": 4, "slope": 0.2},
        "mapper": {"zDim": 8, "hidden": 128, "layers": 3},
    },
}


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


class Encoder(nn.Module):
    """E (encoder.ts): 4x4/2 stem, basic blocks, optional texture statistics, dense head."""

    def __init__(self, zDim, width, blocks, slope, textureStats=False):
        super().__init__()
        self.slope, self.n_blocks, self.texture = slope, len(blocks), textureStats
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
        self.head = EqDense(cin + (blocks[0] * width if textureStats else 0), zDim)

    def forward(self, x):
        s = self.slope
        x = self.stem(x)
        stats = []
        for i in range(self.n_blocks):
            b = getattr(self, f"block{i + 1}")
            h = b["conv1"](F.leaky_relu(x, s))
            h = b["conv2"](F.leaky_relu(h, s))
            if i == 0 and self.texture:
                stats.append(torch.log(h.var(dim=(2, 3), unbiased=False) + 1e-3))
            x = pixel_norm(F.avg_pool2d(h, 2) + b["shortcut"](F.avg_pool2d(x, 2)))
        pooled = F.leaky_relu(x, s).mean(dim=(2, 3))
        return self.head(torch.cat([pooled, *stats], 1))


class Generator(nn.Module):
    """G (generator.ts): content encoder with instance norm, decoder fed z, skips, tanh."""

    def __init__(self, zDim, width, encoderResBlocks, decoderResBlocks):
        super().__init__()
        w = width
        enc = [w, 2 * w, 4 * w, 8 * w]
        c = enc[3]
        self.stem = EqConv(3, w, 7, bias=False)
        for i in range(1, 4):
            self.add_module(f"down{i}", EqConv(enc[i - 1], enc[i], 3, 2, bias=False))

        def pair(cin, cout, bias=True):
            conv1, conv2 = EqConv(cin, cout, 3, bias=bias), EqConv(cout, cout, 3, bias=bias)
            return nn.ModuleDict({"conv1": conv1, "conv2": conv2})

        self.enc_res = [f"encres{i + 1}" for i in range(encoderResBlocks)]
        self.dec_res = [f"decres{i + 1}" for i in range(decoderResBlocks)]
        for name in self.enc_res:
            self.add_module(name, pair(c, c, False))
        for name in self.dec_res:
            self.add_module(name, pair(c + zDim, c))
        cin = c
        for i in range(1, 4):
            skip, cout = enc[4 - i], enc[3 - i]
            self.add_module(f"up{i}", pair(cin + skip + zDim, cout))
            cin = cout
        self.out = EqConv(cin + w + zDim, 3, 1)

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
    """D (discriminator.ts): conditional PatchGAN, scales with their own weights, mbstd."""

    def __init__(self, width, scales, mbstdGroup, slope):
        super().__init__()
        w = width
        self.slope, self.scales, self.group = slope, scales, mbstdGroup
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
            y = minibatch_stddev(F.leaky_relu(instance_norm(d["conv3"](y)), s), self.group)
            y = F.leaky_relu(instance_norm(d["conv4"](y)), s)
            maps.append(d["logits"](y))
        return maps


class Mapper(nn.Module):
    """M (mapper.ts): noise -> style code, tanh hidden layers; mean_code = the mean style code."""

    def __init__(self, zDim, hidden, layers):
        super().__init__()
        self.n = layers
        for i in range(layers):
            self.add_module(f"fc{i + 1}", EqDense(zDim if i == 0 else hidden, hidden))
        self.out = EqDense(hidden, zDim)
        self.register_buffer("mean_code", torch.zeros(zDim))

    def forward(self, e):
        x = e
        for i in range(self.n):
            x = torch.tanh(getattr(self, f"fc{i + 1}")(x))
        return self.out(x)


class StepTwin(nn.Module):
    """The four networks of a config (a dict as in PRESETS), under the names the file uses."""

    def __init__(self, config, nets=("encoder", "generator", "discriminator", "mapper")):
        super().__init__()
        self.config = config
        kinds = {"encoder": Encoder, "generator": Generator, "discriminator": Discriminator}
        kinds["mapper"] = Mapper
        for net in nets:
            self.add_module(net, kinds[net](**config[net]))


def load_twin(path):
    """The twin a safetensors file describes (config from its metadata) and the metadata."""
    tensors, meta = load_safetensors(path)
    config = json.loads(meta["config"])
    nets = [n for n in ("encoder", "generator", "discriminator", "mapper")
            if any(k.startswith(n + ".") for k in tensors)]
    twin = StepTwin(config, nets)
    twin.load_state_dict(tensors, strict=True)
    return twin.eval(), meta


def save_twin(twin, path, meta):
    """Writes the twin's state dict with `meta` (+ its config) as `step import` reads it."""
    state = {k: v.detach().float().contiguous() for k, v in twin.state_dict().items()}
    save_safetensors(path, state, {**meta, "config": json.dumps(twin.config)})


def forward_all(twin, inputs):
    """What the round-trip tests compare: E(style), G(content, z), D(image, content), M(noise)."""
    out = {}
    with torch.no_grad():
        if hasattr(twin, "encoder"):
            out["z"] = twin.encoder(inputs["style"])
        if hasattr(twin, "generator"):
            z = out.get("z", inputs.get("z"))
            out["image"] = twin.generator(inputs["content"], z)
        if hasattr(twin, "discriminator"):
            image = out.get("image", inputs["style"])
            for i, m in enumerate(twin.discriminator(image, inputs["content"])):
                out[f"d{i + 1}"] = m
        if hasattr(twin, "mapper"):
            out["mapped"] = twin.mapper(inputs["noise"])
    return {k: v.contiguous() for k, v in out.items()}


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("forward")
    f.add_argument("--weights", required=True)
    f.add_argument("--inputs", required=True)
    f.add_argument("--out", required=True)
    i = sub.add_parser("init")
    i.add_argument("--config", choices=sorted(PRESETS), default="small")
    i.add_argument("--seed", type=int, default=0)
    i.add_argument("--size", type=int, default=64)
    i.add_argument("--out", required=True)
    a = p.parse_args()
    torch.set_num_threads(1)
    if a.cmd == "forward":
        twin, _ = load_twin(a.weights)
        inputs, _ = load_safetensors(a.inputs)
        save_safetensors(a.out, forward_all(twin, inputs), {})
    else:
        torch.manual_seed(a.seed)
        twin = StepTwin(PRESETS[a.config])
        with torch.no_grad():  # non-zero biases and mean code, so the round trip tests them
            for name, t in twin.state_dict().items():
                if name.endswith(".bias") or name.endswith("mean_code"):
                    t.copy_(torch.randn_like(t) * 0.1)
        meta = {"format": "step-graph", "stage": "mapper", "step": "0", "seed": str(a.seed)}
        save_twin(twin, a.out, {**meta, "size": str(a.size), "source": "step_twin.py init"})


if __name__ == "__main__":
    main()

"""Trains the PyTorch twin (step_twin.py) data-parallel under torchrun, for data that outgrows one
machine; the result imports with `step import` and runs in the CLI, the library and the editor.

    torchrun --nproc_per_node 2 bench/peers/twin_train_ddp.py --data pairs.safetensors \\
        --out model.safetensors --steps 1000 --batch 8
    step import model.safetensors --out my-model

(Debian's torch 1.13 on Python 3.11: add `--redirects 2 --tee 2 --log_dir DIR` to torchrun, whose
default `0` (and `3`) fail to parse there: stderr then goes to DIR and the console.)

One process per CPU group or GPU: DistributedDataParallel over gloo on CPUs, NCCL on GPUs
(--backend, default: nccl when CUDA is there). Each process draws its batches from its own shard
of the pairs (pair i goes to rank i mod world). The step is the project's stage 3 recipe reduced
to what needs no ImageNet weights: E, G and D train together; z = E(B), fake = G(A, z);
L_G = LSGAN(D(fake, A), 1) + --rec * mean|fake - B| + 0.01 mean(z^2); L_D = LSGAN(D(B, A), 1) +
LSGAN(D(fake, A), 0); Adam lr --lr, betas (0, 0.99). (The project's own stage 2 / 3 use a
perceptual loss on ResNet50 features instead of the L1 term.)

--data: a safetensors file with 'a' (content A) and 'b' (target B), [N, 3, H, W] in [-1, 1].
--init: start from a safetensors model (e.g. `step export --format safetensors` of a stage-1
or later model) instead of random weights. Rank 0 prints one JSON line per step
{"step", "rec", "g", "d"} (the means over processes; also to --log) and writes --out (with the metadata `step import` reads). With --probe
IN.safetensors ('content', 'style'), it also writes --probe-out: 'image' = G(content, E(style)).
"""

import argparse
import json
import os

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP

from safetensors_io import load_safetensors, save_safetensors
from step_twin import PRESETS, StepTwin, forward_all, load_twin, save_twin

ADAM = {"betas": (0.0, 0.99), "eps": 1e-8}


def lsgan(maps, target):
    return sum((m - target).pow(2).mean() for m in maps)


class EG(nn.Module):
    """E and G as one module, so one DDP wrapper averages both gradients."""

    def __init__(self, twin):
        super().__init__()
        self.encoder, self.generator = twin.encoder, twin.generator

    def forward(self, a, b):
        z = self.encoder(b)
        return self.generator(a, z), z


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--config", choices=sorted(PRESETS), default="small")
    p.add_argument("--init")
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--batch", type=int, default=8, help="per process")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--rec", type=float, default=10.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--backend", choices=["gloo", "nccl"])
    p.add_argument("--probe")
    p.add_argument("--probe-out")
    p.add_argument("--log", help="also append the JSON lines to this file (rank 0)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    cuda = torch.cuda.is_available() and a.backend != "gloo"
    dist.init_process_group(a.backend or ("nccl" if cuda else "gloo"))
    rank, world = dist.get_rank(), dist.get_world_size()
    device = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}" if cuda else "cpu")

    torch.manual_seed(a.seed)  # the same initial weights everywhere (DDP also broadcasts rank 0's)
    if a.init:
        twin, _ = load_twin(a.init)
        twin.train()
    else:
        twin = StepTwin(PRESETS[a.config], ("encoder", "generator", "discriminator"))
    twin.to(device)
    eg = DDP(EG(twin))
    d = DDP(twin.discriminator)
    opt_g = torch.optim.Adam(eg.parameters(), lr=a.lr, **ADAM)
    opt_d = torch.optim.Adam(d.parameters(), lr=a.lr, **ADAM)

    data, _ = load_safetensors(a.data)
    shard = torch.arange(rank, data["a"].shape[0], world)
    if len(shard) == 0:
        raise SystemExit(f"rank {rank}: no pairs in {a.data} for {world} processes")
    size = data["a"].shape[-1]
    gen = torch.Generator().manual_seed(a.seed * 1000 + rank)
    for step in range(1, a.steps + 1):
        idx = shard[torch.randint(len(shard), (a.batch,), generator=gen)]
        A, B = data["a"][idx].to(device), data["b"][idx].to(device)
        fake, z = eg(A, B)
        # L_G through D's plain module: no gradient for D's weights, no DDP hooks on D here
        d.module.requires_grad_(False)
        rec = (fake - B).abs().mean()
        loss_g = lsgan(d.module(fake, A), 1.0) + a.rec * rec + 0.01 * z.pow(2).mean()
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()
        d.module.requires_grad_(True)
        loss_d = lsgan(d(B, A), 1.0) + lsgan(d(fake.detach(), A), 0.0)
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()
        # the mean over processes of this step's losses
        losses = torch.stack([rec.detach(), loss_g.detach(), loss_d.detach()]).cpu()
        dist.all_reduce(losses)
        losses /= world
        if rank == 0:
            row = {"step": step, "rec": losses[0].item(), "g": losses[1].item(), "d": losses[2].item()}
            print(json.dumps(row), flush=True)
            if a.log:
                with open(a.log, "a") as f:
                    f.write(json.dumps(row) + "\n")

    if rank == 0:
        twin.cpu().eval()
        meta = {"format": "step-graph", "stage": "finetune", "step": str(a.steps)}
        meta.update({"seed": str(a.seed), "size": str(size), "source": "twin_train_ddp.py"})
        save_twin(twin, a.out, meta)
        if a.probe and a.probe_out:
            inputs, _ = load_safetensors(a.probe)
            out = forward_all(twin, inputs)
            save_safetensors(a.probe_out, {k: out[k] for k in ("z", "image")})
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()

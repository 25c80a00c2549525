#!/usr/bin/env bash
# Trains the 128 px default model (issue 16) with the project's own CLI, stage by stage. Every stage
# resumes from its last checkpoint when run again (a stopped session continues where it was), so
# this script can be started repeatedly. RUN=folder for the run (default out/m128, not committed);
# STAGES=list of stages to run (default: data stage1; then stage2 stage3 mapper eval coverage export). Logs go to $RUN/<stage>.log.
# MODEL=folder name of the mapper's model (default model; e.g. MODEL=model3b FROM=stage3b keeps both).
# Checkpoints travel between sessions through runs/m128/ (committed): `STAGES=save` copies the
# latest checkpoint of every stage there; a stage whose folder is missing in $RUN starts from the
# copy in runs/m128/ when there is one. The datasets are regenerated (same seeds, same bytes).
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=${RUN:-out/m128}
STAGES=${STAGES:-"data stage1"}
S="npx tsx src/cli/main.ts"
mkdir -p "$RUN"

KEEP=runs/m128
MODEL=${MODEL:-model}

resume_flag() { [ -f "$1/manifest.json" ] && echo --resume || true; }

# a stage folder missing here but kept in $KEEP starts from the kept checkpoint
for s in stage1 stage2 stage2b stage2c stage3 stage3b stage3c $MODEL; do
  if [ ! -d "$RUN/$s" ] && [ -f "$KEEP/$s/manifest.json" ]; then cp -r "$KEEP/$s" "$RUN/$s"; fi
done

for stage in $STAGES; do
  case $stage in
    data)
      [ -d "$RUN/train" ] || $S dataset synth --count 2000 --size 128 --seed 21 --out "$RUN/train"
      [ -d "$RUN/heldout" ] || $S dataset synth --count 256 --size 128 --seed 22 --out "$RUN/heldout"
      [ -d "$RUN/restyled" ] ||
        $S dataset synth --count 256 --size 128 --seed 23 --restyle-of "$RUN/heldout" --out "$RUN/restyled"
      ;;
    stage1)
      $S train encoder --data "$RUN/train" --out "$RUN/stage1" --size 128 --steps 2000 \
        --every 100 --backend wasm $(resume_flag "$RUN/stage1") 2>&1 | tee -a "$RUN/stage1.log"
      ;;
    stage2)
      # the texture recipe (ADR 0017): pixel L1, Gram texture and latent regression on top of
      # LSGAN + perceptual; batch 4 and lr 0.004 as the 64 px model (examples/models/README.md)
      $S train generator --data "$RUN/train" --encoder "$RUN/stage1" --out "$RUN/stage2" \
        --size 128 --steps 6000 --batch 4 --lr 0.004 --percept-taps 3 --recipe texture \
        --every 100 --samples 250 --backend wasm $(resume_flag "$RUN/stage2") 2>&1 |
        tee -a "$RUN/stage2.log"
      ;;
    stage3)
      # stage 3 fine-tunes E, G and D together; half stage 2's lr, as the 64 px model
      $S train finetune --data "$RUN/train" --from "$RUN/stage2" --out "$RUN/stage3" \
        --size 128 --steps ${STAGE3_STEPS:-300} --batch 4 --lr 0.002 --percept-taps 3 --recipe texture \
        --every 100 --samples 200 --backend wasm $(resume_flag "$RUN/stage3") 2>&1 |
        tee -a "$RUN/stage3.log"
      ;;
    stage3b)
      # a longer stage 3 from the first one's end (SSIM was still rising: issue 16)
      $S train finetune --data "$RUN/train" --from "$RUN/stage3" --out "$RUN/stage3b" \
        --size 128 --steps 1500 --batch 4 --lr 0.002 --percept-taps 3 --recipe texture \
        --every 100 --samples 250 --backend wasm $(resume_flag "$RUN/stage3b") 2>&1 |
        tee -a "$RUN/stage3b.log"
      ;;
    stage2b)
      # stage 2 continued from its end with E still frozen (stage 3 drifts E: on the seed-24 pairs
      # its texture kind fell from 68 % to 61 % over stage3c's first 1 100 steps): half stage 3's lr
      # and twice the pixel L1 weight, aimed at SSIM (issue 16)
      $S train generator --data "$RUN/train" --encoder "$RUN/stage2" --out "$RUN/stage2b" \
        --size 128 --steps 2000 --batch 4 --lr 0.001 --percept-taps 3 --recipe texture --l1 20 \
        --every 100 --samples 250 --backend wasm $(resume_flag "$RUN/stage2b") 2>&1 |
        tee -a "$RUN/stage2b.log"
      ;;
    stage2c)
      # stage2b continued the same way (SSIM was still rising: 0.482 -> 0.494 on the seed-24 pairs)
      $S train generator --data "$RUN/train" --encoder "$RUN/stage2b" --out "$RUN/stage2c" \
        --size 128 --steps 2000 --batch 4 --lr 0.001 --percept-taps 3 --recipe texture --l1 20 \
        --every 100 --samples 250 --backend wasm $(resume_flag "$RUN/stage2c") 2>&1 |
        tee -a "$RUN/stage2c.log"
      ;;
    stage3c)
      # stage 3 again from stage3b's end: half the lr and twice the pixel L1 weight, aimed at
      # SSIM (issue 16), chosen by the seed-24 check like the stages before it
      $S train finetune --data "$RUN/train" --from "$RUN/stage3b" --out "$RUN/stage3c" \
        --size 128 --steps 2000 --batch 4 --lr 0.001 --percept-taps 3 --recipe texture --l1 20 \
        --every 100 --samples 250 --backend wasm $(resume_flag "$RUN/stage3c") 2>&1 |
        tee -a "$RUN/stage3c.log"
      ;;
    mapper)
      # FROM=stage3b trains the mapper on the longer stage 3 (with MODEL=model3b beside the first)
      $S train mapper --data "$RUN/train" --from "$RUN/${FROM:-stage3}" --out "$RUN/$MODEL" \
        --epochs 500 --backend wasm $(resume_flag "$RUN/$MODEL") 2>&1 | tee -a "$RUN/$MODEL-mapper.log"
      ;;
    eval)
      # every acceptance figure of issue 16 on the held-out pairs (seed 22) and their restyled
      # versions (seed 23), which training never saw
      $S eval --model "$RUN/$MODEL" --data "$RUN/heldout" --restyled "$RUN/restyled" \
        --backend wasm > "$RUN/$MODEL-eval.json"
      cat "$RUN/$MODEL-eval.json"
      ;;
    coverage)
      npx tsx bench/coverage.ts --model "$RUN/$MODEL" --data "$RUN/heldout" > "$RUN/$MODEL-coverage.json"
      cat "$RUN/$MODEL-coverage.json"
      ;;
    export)
      # the shipped default model: inference weights only
      rm -rf "$RUN/$MODEL-export" && $S export --model "$RUN/$MODEL" --out "$RUN/$MODEL-export"
      ;;
    save)
      for s in stage1 stage2 stage2b stage2c stage3 stage3b stage3c $MODEL; do
        [ -f "$RUN/$s/manifest.json" ] || continue
        rm -rf "$KEEP/$s.tmp" && mkdir -p "$KEEP/$s.tmp"
        # the manifest names the weight files it uses; copy those, the manifest and the logs
        cp "$RUN/$s/manifest.json" "$RUN/$s/loss.jsonl" "$KEEP/$s.tmp/"
        node -e 'const m=require(process.argv[1]);const out=new Set();JSON.stringify(m,(k,v)=>{if(typeof v==="string"&&v.endsWith(".bin"))out.add(v);return v});console.log([...out].join("\n"))' \
          "$PWD/$RUN/$s/manifest.json" | while read -r f; do cp "$RUN/$s/$f" "$KEEP/$s.tmp/"; done
        [ -d "$RUN/$s/samples" ] && mkdir -p "$KEEP/$s.tmp/samples" &&
          cp "$(ls "$RUN/$s"/samples/*.png | tail -1)" "$KEEP/$s.tmp/samples/"
        rm -rf "$KEEP/$s" && mv "$KEEP/$s.tmp" "$KEEP/$s"
      done
      ;;
    *) echo "unknown stage $stage" >&2; exit 2 ;;
  esac
done

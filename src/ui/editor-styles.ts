/** Styles of <step-editor> (customisable through --step-bg, --step-fg, --step-accent, --step-height). */
import { css } from 'lit'

/** The element's shadow-DOM styles. */
export const editorStyles = css`
  :host {
    position: relative;
    display: flex;
    flex-direction: column;
    height: var(--step-height, 600px);
    background: var(--step-bg, #1e1e1e);
    color: var(--step-fg, #ddd);
    font: 13px sans-serif;
  }
  .bar,
  footer {
    display: flex;
    gap: 6px;
    align-items: center;
    padding: 4px 6px;
  }
  .main {
    flex: 1;
    display: flex;
    min-height: 0;
  }
  nav {
    width: 150px;
    overflow: auto;
    padding: 4px;
    border-right: 1px solid #444;
  }
  nav h4 {
    margin: 6px 0 2px;
    font-size: 11px;
    opacity: 0.7;
  }
  nav button {
    display: block;
    width: 100%;
    text-align: left;
    margin: 1px 0;
  }
  .canvas {
    flex: 1;
    position: relative;
    min-width: 0;
  }
  canvas {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
  }
  button {
    background: #333;
    color: inherit;
    border: 1px solid #555;
    border-radius: 3px;
    padding: 3px 8px;
  }
  button.primary {
    background: var(--step-accent, #2a7);
  }
  .status {
    flex: 1;
    overflow: hidden;
    white-space: nowrap;
    text-overflow: ellipsis;
  }
  a {
    color: var(--step-accent, #4c8);
    margin-right: 6px;
  }
  .lightbox {
    position: absolute;
    inset: 0;
    z-index: 10;
    display: flex;
    flex-direction: column;
    align-items: center;
    justify-content: center;
    gap: 8px;
    background: rgba(0, 0, 0, 0.85);
  }
  .lightbox img {
    max-width: 95%;
    max-height: calc(100% - 60px);
    object-fit: contain;
    image-rendering: pixelated;
    background: #000;
  }
  .lightbox-bar {
    display: flex;
    gap: 8px;
    align-items: center;
  }
  .link-menu-backdrop {
    position: absolute;
    inset: 0;
    z-index: 9;
  }
  .link-menu {
    position: absolute;
    z-index: 10;
    max-height: 60%;
    overflow: auto;
    padding: 4px;
    background: #2a2a2a;
    border: 1px solid #555;
    border-radius: 4px;
    box-shadow: 0 4px 12px rgba(0, 0, 0, 0.5);
  }
  .link-menu h4 {
    margin: 2px 4px 4px;
    font-size: 11px;
    opacity: 0.7;
  }
  .link-menu button {
    display: block;
    width: 100%;
    text-align: left;
    margin: 1px 0;
  }
  .link-menu small {
    opacity: 0.6;
  }
  .history {
    width: 260px;
    overflow: auto;
    padding: 4px 6px;
    border-left: 1px solid #444;
  }
  .history header {
    display: flex;
    gap: 6px;
    align-items: center;
  }
  .history header strong {
    flex: 1;
  }
  .history .run {
    margin: 6px 0;
    font-size: 12px;
  }
  .history .thumbs {
    display: flex;
    flex-wrap: wrap;
    gap: 3px;
    margin-top: 3px;
  }
  .history .thumbs img {
    height: 56px;
    max-width: 100%;
    image-rendering: pixelated;
    background: #000;
    cursor: zoom-in;
  }
`

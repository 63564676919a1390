import { playerColor } from '../state/online-users.ts';

/** A child for `h`: strings become text nodes, so player text is never parsed as HTML. */
export type Child = Node | string | null | undefined | false;

export interface ElementProps {
  readonly className?: string;
  readonly attrs?: Readonly<Record<string, string>>;
}

/** Creates an element. There is no `innerHTML` anywhere in the UI; this is how markup is built. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: ElementProps | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props?.className) element.className = props.className;
  for (const [name, value] of Object.entries(props?.attrs ?? {})) element.setAttribute(name, value);
  append(element, children);
  return element;
}

export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** The game's star mark, drawn in CSS. */
export function starMark(size: 'small' | 'large' = 'small'): HTMLElement {
  return h('span', { className: `star-mark star-mark--${size}`, attrs: { 'aria-hidden': 'true' } });
}

/** Sets `--player-color` on an element, for the dot and name styles that use it. */
export function paintPlayerColor(element: HTMLElement, color: string): void {
  element.style.setProperty('--player-color', playerColor(color));
}

/** A dot in a player's colour. */
export function colorDot(color: string): HTMLElement {
  const dot = h('span', { className: 'color-dot', attrs: { 'aria-hidden': 'true' } });
  paintPlayerColor(dot, color);
  return dot;
}

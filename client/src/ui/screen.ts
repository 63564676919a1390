/** A mounted screen: its root element, and how to unsubscribe everything it listens to. */
export interface Screen {
  readonly element: HTMLElement;
  dispose(): void;
}

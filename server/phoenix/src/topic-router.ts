/**
 * Maps topics to handlers. A pattern is an exact topic (`lobby`) or a prefix ending in `*`
 * (`room:*` matches `room:42`). The first pattern that matches wins, in the order given.
 */
export class TopicRouter<Handler> {
  readonly #routes: ReadonlyArray<{ pattern: string; prefix: string | null; handler: Handler }>;

  constructor(routes: Readonly<Record<string, Handler>>) {
    this.#routes = Object.entries(routes).map(([pattern, handler]) => {
      const star = pattern.indexOf('*');
      if (star !== -1 && star !== pattern.length - 1) {
        throw new Error(`topic pattern "${pattern}": "*" is only allowed at the end`);
      }
      return { pattern, prefix: star === -1 ? null : pattern.slice(0, -1), handler };
    });
  }

  match(topic: string): Handler | undefined {
    for (const route of this.#routes) {
      if (route.prefix === null ? topic === route.pattern : topic.startsWith(route.prefix)) return route.handler;
    }
    return undefined;
  }
}

import { describe, expect, it } from 'vitest';
import { locate, parsePath } from '../../src/input/locate.js';

const text = `{
  "stack": "demo",
  "services": {
    "demo-web": {
      "cluster": "demo-clustr",
      "subnets": ["subnet-1", "subnet-12345"],
      "note": "a \\"quoted\\" } ] value"
    }
  },
  "after": [{ "x": 1 }, { "y": [2, 3] }]
}
`;

describe('locate: the line and column of a JSON path', () => {
  it('parses the paths the messages print', () => {
    expect(parsePath('services["demo-web"].subnets[1]')).toEqual(['services', 'demo-web', 'subnets', 1]);
    expect(parsePath('stack')).toEqual(['stack']);
    expect(parsePath('a → b')).toBeUndefined();
  });

  it('finds values in objects and arrays, past strings that hold brackets and escapes', () => {
    expect(locate(text, ['stack'])).toEqual({ line: 2, column: 12 });
    expect(locate(text, ['services', 'demo-web', 'cluster'])).toEqual({ line: 5, column: 18 });
    expect(locate(text, ['services', 'demo-web', 'subnets', 1])).toEqual({ line: 6, column: 31 });
    expect(locate(text, ['after', 1, 'y', 1])).toEqual({ line: 10, column: 36 });
    expect(locate(text, ['services', 'nope'])).toBeUndefined();
    expect(locate(text, ['stack', 0])).toBeUndefined();
  });

  it('agrees with the text: what it points at is the value', () => {
    const lines = text.split('\n');
    const at = locate(text, ['services', 'demo-web', 'note'])!;
    expect(lines[at.line - 1].slice(at.column - 1)).toBe('"a \\"quoted\\" } ] value"');
  });
});

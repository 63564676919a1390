import { describe, expect, it } from 'vitest';
import { renderProfileFor } from '../src/game/render-profile.ts';

describe('renderProfileFor', () => {
  it.each([
    'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)',
    'llvmpipe (LLVM 15.0.6, 256 bits)',
    'Microsoft Basic Render Driver',
  ])('draws with Canvas at half resolution and 30 fps on a software rasterizer: %s', (gpu) => {
    expect(renderProfileFor(gpu)).toEqual({ renderer: 'canvas', pixelsPerUnit: 0.5, fps: 30, gpu });
  });

  it('does the same without WebGL', () => {
    expect(renderProfileFor(null)).toMatchObject({ renderer: 'canvas', pixelsPerUnit: 0.5 });
  });

  it.each(['ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)', 'Apple M2', 'Mali-G78'])(
    'uses WebGL at full resolution and 60 fps on a GPU: %s',
    (gpu) => {
      expect(renderProfileFor(gpu)).toEqual({ renderer: 'webgl', pixelsPerUnit: 1, fps: 60, gpu });
    },
  );
});

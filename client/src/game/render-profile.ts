/**
 * How the game canvas is drawn on this device. With a GPU: WebGL at the arena's full resolution and
 * 60 frames a second. Without one (software WebGL such as SwiftShader or llvmpipe, as on CI
 * machines and some VMs), each WebGL frame blocked the main thread for 130–190 ms, which delayed
 * inputs and snapshots; the Canvas renderer at half resolution took 7–10 ms, so that is the
 * fallback, at 30 frames a second to leave the CPU to the network and the other tabs.
 */
export interface RenderProfile {
  readonly renderer: 'webgl' | 'canvas';
  /** Canvas pixels per world unit (the camera zooms to match). */
  readonly pixelsPerUnit: number;
  readonly fps: number;
  /** The WebGL renderer string that decided it, or null without WebGL: for the overlay and bug reports. */
  readonly gpu: string | null;
}

/** Renderer strings of software rasterizers, which would take the main thread for every frame. */
const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|basic render driver/i;

/** The profile for a WebGL renderer string (`null`: no WebGL at all). Unknown names count as a GPU. */
export function renderProfileFor(gpu: string | null): RenderProfile {
  if (gpu === null || SOFTWARE_RENDERER.test(gpu)) return { renderer: 'canvas', pixelsPerUnit: 0.5, fps: 30, gpu };
  return { renderer: 'webgl', pixelsPerUnit: 1, fps: 60, gpu };
}

let detected: RenderProfile | undefined;

/** Asks a throwaway WebGL context once per page which renderer backs it. */
export function detectRenderProfile(): RenderProfile {
  detected ??= renderProfileFor(webGlRenderer());
  return detected;
}

function webGlRenderer(): string | null {
  const gl = document.createElement('canvas').getContext('webgl');
  if (!gl) return null;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const name: unknown = gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER);
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return typeof name === 'string' ? name : null;
}

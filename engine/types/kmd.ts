// The interface definitions (kmd.json) that kurento-client itself is generated from.
// Loading them at start-up, instead of hand-copying, keeps `describe`, parameter checks
// and the "exists in KMS but not here" answers in step with the client we serve.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface KmdParam {
  name: string;
  type: string;
  optional?: boolean;
  defaultValue?: unknown;
}

export interface KmdMethod {
  name: string;
  params?: KmdParam[];
  return?: { type: string };
}

export interface KmdProperty {
  name: string;
  type: string;
  readOnly?: boolean;
  final?: boolean;
}

interface KmdRemoteClass {
  name: string;
  extends?: string;
  abstract?: boolean;
  constructor?: { params?: KmdParam[] };
  properties?: KmdProperty[];
  methods?: KmdMethod[];
  events?: string[];
}

interface KmdComplexType {
  name: string;
  typeFormat: 'ENUM' | 'REGISTER';
  values?: string[];
  properties?: KmdParam[];
  extends?: string;
}

interface KmdEvent {
  name: string;
  extends?: string;
  properties?: KmdParam[];
}

interface KmdFile {
  name: string;
  version: string;
  code?: { api?: { js?: { nodeName?: string } } };
  remoteClasses?: KmdRemoteClass[];
  complexTypes?: KmdComplexType[];
  events?: KmdEvent[];
}

export interface ClassInfo {
  name: string;
  module: string;
  qualifiedName: string;
  parent?: string;
  abstract: boolean;
  constructorParams: KmdParam[];
  properties: KmdProperty[];
  methods: KmdMethod[];
  events: string[];
}

export interface ModuleInfo {
  name: string;
  version: string;
}

/** The npm packages whose kmd files define what the engine speaks: KMS's own modules... */
const CORE_KMD_PACKAGES = [
  'kurento-client-core/src/core.kmd.json',
  'kurento-client-elements/src/elements.kmd.json',
  'kurento-client-filters/src/filters.kmd.json',
];
/** ...and the add-on modules it can load, by module name, as a KMS image may or may not have them. */
export const ADDON_KMD_PACKAGES: Record<string, string> = {
  chroma: 'kurento-module-chroma/src/chroma.kmd.json',
};
export const DEFAULT_KMD_PACKAGES = [...CORE_KMD_PACKAGES, ...Object.values(ADDON_KMD_PACKAGES)];

/** The kmd packages for KMS's modules and the add-ons named. */
export function kmdPackages(addons: readonly string[]): string[] {
  return [...CORE_KMD_PACKAGES, ...addons.map((name) => ADDON_KMD_PACKAGES[name]!)];
}

export class TypeRegistry {
  private readonly classes = new Map<string, ClassInfo>();
  private readonly complexTypes = new Map<string, KmdComplexType>();
  private readonly eventTypes = new Map<string, KmdEvent>();
  readonly modules: ModuleInfo[] = [];

  static load(specs: string[] = DEFAULT_KMD_PACKAGES): TypeRegistry {
    const registry = new TypeRegistry();
    const req = createRequire(__filename);
    for (const spec of specs) {
      const file = JSON.parse(readFileSync(req.resolve(spec), 'utf8')) as KmdFile;
      registry.add(file);
    }
    return registry;
  }

  private add(file: KmdFile): void {
    // NOTE: the core module is named "core" but its classes live in the "kurento" namespace,
    // as do elements and filters; add-on modules (chroma, ...) use their own name.
    const namespace = ['core', 'elements', 'filters'].includes(file.name) ? 'kurento' : file.name;
    this.modules.push({ name: file.name, version: file.version });
    for (const c of file.remoteClasses ?? []) {
      // `constructor` is a key in the JSON; read it as an own property, not Object's.
      const ctor = Object.prototype.hasOwnProperty.call(c, 'constructor') ? c.constructor : undefined;
      this.classes.set(c.name, {
        name: c.name,
        module: namespace,
        qualifiedName: `${namespace}.${c.name}`,
        parent: c.extends,
        abstract: c.abstract === true,
        constructorParams: ctor?.params ?? [],
        properties: c.properties ?? [],
        methods: c.methods ?? [],
        events: c.events ?? [],
      });
    }
    for (const t of file.complexTypes ?? []) this.complexTypes.set(t.name, t);
    for (const e of file.events ?? []) this.eventTypes.set(e.name, e);
  }

  /** Accepts "WebRtcEndpoint" and "kurento.WebRtcEndpoint". */
  getClass(type: string): ClassInfo | undefined {
    const short = type.includes('.') ? type.slice(type.lastIndexOf('.') + 1) : type;
    const info = this.classes.get(short);
    if (!info) return undefined;
    if (type.includes('.') && info.qualifiedName !== type) return undefined;
    return info;
  }

  /** The class and its ancestors, nearest first. */
  lineage(type: string): ClassInfo[] {
    const out: ClassInfo[] = [];
    let info = this.getClass(type);
    while (info) {
      out.push(info);
      info = info.parent ? this.getClass(info.parent) : undefined;
    }
    return out;
  }

  /** Qualified names of the ancestors, as KMS answers `describe` with them. */
  hierarchy(type: string): string[] {
    return this.lineage(type)
      .slice(1)
      .map((c) => c.qualifiedName);
  }

  isA(type: string, ancestor: string): boolean {
    return this.lineage(type).some((c) => c.name === ancestor);
  }

  /**
   * The declared operation `name` on `type`: an explicit method, or the getter/setter that
   * kurento-client derives from a property (`getFoo`, `setFoo`).
   */
  findOperation(type: string, name: string): KmdMethod | undefined {
    for (const c of this.lineage(type)) {
      const m = c.methods.find((x) => x.name === name);
      if (m) return m;
      for (const p of c.properties) {
        const cap = p.name.charAt(0).toUpperCase() + p.name.slice(1);
        if (name === `get${cap}`) return { name, params: [], return: { type: p.type } };
        if (name === `set${cap}` && !p.readOnly && !p.final) {
          return { name, params: [{ name: p.name, type: p.type }] };
        }
      }
    }
    return undefined;
  }

  hasEvent(type: string, event: string): boolean {
    return this.lineage(type).some((c) => c.events.includes(event));
  }

  getComplexType(name: string): KmdComplexType | undefined {
    return this.complexTypes.get(name);
  }

  isClassName(name: string): boolean {
    return this.classes.has(name);
  }
}

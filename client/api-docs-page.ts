// The REST API's reference (/api-docs): /api/openapi.json drawn section by section, each
// operation with its method, path, summary and parameters (their type and limits, from the
// same schemas that check requests), and the one error shape.

import { LitElement, css, html, nothing } from 'lit';
import { customElement } from 'lit/decorators.js';
import './components/site-header';
import { PolledJson } from './controllers/polled-json';

interface Parameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: Record<string, unknown>;
}

interface Operation {
  summary: string;
  description?: string;
  tags?: string[];
  parameters?: Parameter[];
  responses: Record<string, { description: string }>;
}

interface OpenApiDocument {
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: { Error: { properties: Record<string, { description?: string }> } } };
}

/** A parameter's type and limits in a few words: "integer, 1–100, default 20". */
function describeSchema(schema: Record<string, unknown>): string {
  const parts = [String(schema.format ?? schema.type ?? 'any')];
  if (schema.minimum !== undefined || schema.maximum !== undefined)
    parts.push(`${schema.minimum ?? '…'}–${schema.maximum ?? '…'}`);
  if (schema.pattern) parts.push(`matching ${String(schema.pattern)}`);
  if (schema.maxLength !== undefined) parts.push(`at most ${String(schema.maxLength)} characters`);
  if (schema.default !== undefined) parts.push(`default ${JSON.stringify(schema.default)}`);
  return parts.join(', ');
}

@customElement('api-docs-page')
export class ApiDocsPage extends LitElement {
  static override styles = css`
    :host {
      display: block;
      max-width: 960px;
      margin: 0 auto;
      font: 15px system-ui;
    }
    section {
      margin: 20px 0;
    }
    h2 {
      font-size: 17px;
      text-transform: capitalize;
      border-bottom: 1px solid #d5dae1;
      padding-bottom: 4px;
    }
    .operation {
      margin: 10px 0;
      padding: 8px 12px;
      border: 1px solid #d5dae1;
      border-radius: 8px;
    }
    .method {
      display: inline-block;
      min-width: 56px;
      font:
        600 12px ui-monospace,
        monospace;
      padding: 2px 6px;
      border-radius: 4px;
      background: #e6eefc;
      color: #1d3f8a;
      text-align: center;
    }
    .method.delete {
      background: #fde8e8;
      color: #8a1c1c;
    }
    code {
      font:
        14px ui-monospace,
        monospace;
    }
    table {
      border-collapse: collapse;
      margin-top: 6px;
      font-size: 13px;
    }
    td,
    th {
      text-align: left;
      padding: 2px 10px 2px 0;
      vertical-align: top;
    }
    .problem {
      color: #8a1c1c;
    }
  `;

  private readonly doc = new PolledJson<OpenApiDocument>(
    this,
    '/api/openapi.json',
    0,
    () => 'The API description could not be read.',
  );

  protected override render() {
    if (this.doc.problem) return html`<p class="problem">${this.doc.problem}</p>`;
    const doc = this.doc.value;
    if (!doc) return html`<p>Reading the API description…</p>`;
    const byTag = new Map<string, { method: string; path: string; op: Operation }[]>();
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const tag = op.tags?.[0] ?? 'other';
        byTag.set(tag, [...(byTag.get(tag) ?? []), { method, path, op }]);
      }
    }
    const errorFields = doc.components.schemas.Error.properties;
    return html`<p>${doc.info.description} Version ${doc.info.version}.</p>
      <p>
        Every failure answers
        <code>{${Object.keys(errorFields).join(', ')}}</code>:
        ${Object.entries(errorFields).map(([name, f]) => html`<code>${name}</code>: ${f.description}. `)}
      </p>
      ${[...byTag].map(
        ([tag, ops]) =>
          html`<section>
            <h2>${tag}</h2>
            ${ops.map(({ method, path, op }) => this.renderOperation(method, path, op))}
          </section>`,
      )}`;
  }

  private renderOperation(method: string, path: string, op: Operation) {
    return html`<div class="operation" data-route="${method.toUpperCase()} ${path}">
      <span class="method ${method}">${method.toUpperCase()}</span> <code>${path}</code>
      <div>${op.summary}</div>
      ${
        op.parameters?.length
          ? html`<table>
              <tr>
                <th>parameter</th>
                <th>in</th>
                <th></th>
              </tr>
              ${op.parameters.map(
                (p) =>
                  html`<tr>
                    <td><code>${p.name}</code>${p.required ? ' (required)' : nothing}</td>
                    <td>${p.in}</td>
                    <td>${describeSchema(p.schema)}</td>
                  </tr>`,
              )}
            </table>`
          : nothing
      }
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'api-docs-page': ApiDocsPage;
  }
}

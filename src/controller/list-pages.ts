// Lists a kind in pages for an informer, shaping each page as it arrives: one answer for thousands
// of tenants' Deployments is tens of megabytes of JSON, and a list that kept every full object
// (managedFields, last-applied annotations, Secret values) until its last page made the operator's
// memory peak after a restart.
import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { resourcePath, type KindPath, type KubeRest } from '../runtime/rest.js';
import { listContinue } from './read-back.js';

/** What to list, and how. */
export interface ListPagesOptions {
  labelSelector?: string | undefined;
  /** Objects per page (the API server's `limit`). */
  pageSize: number;
  /** Applied to every object of a page before the next page is asked for. */
  shape: (o: KubernetesObject) => KubernetesObject;
}

/**
 * Lists every object of a kind, page after page, and resolves with the shaped objects and the last
 * page's metadata: its resourceVersion, which the API server keeps consistent across the pages of
 * one list, is where the watch resumes.
 */
export async function listInPages(rest: KubeRest, kind: KindPath, o: ListPagesOptions): Promise<KubernetesListObject<KubernetesObject>> {
  if (!Number.isInteger(o.pageSize) || o.pageSize < 1) throw new RangeError(`list page size must be a positive integer, not ${o.pageSize}`);
  const items: KubernetesObject[] = [];
  let page: KubernetesListObject<KubernetesObject>;
  let token: string | undefined;
  do {
    page = await rest.request<KubernetesListObject<KubernetesObject>>('GET', resourcePath(kind), {
      query: { labelSelector: o.labelSelector, limit: o.pageSize, continue: token },
    });
    for (const item of page.items) items.push(o.shape(item));
    token = listContinue(page);
  } while (token);
  return { ...page, items };
}

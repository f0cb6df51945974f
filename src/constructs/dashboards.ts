import { ApiObject, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { GrafanaDashboard } from '../../imports/grafana-grafana.integreatly.org';
import { dashboardFileName, serializeDashboard } from '../dashboards/files';
import { assertApplicableSize } from '../dashboards/size';
import type { DashboardJson } from '../dashboards/types';
import { DASHBOARD_LABEL, DASHBOARD_LABEL_VALUE, STACK_SELECTOR_LABELS } from './selectors';

/** A label: key and value. */
export interface Label {
  readonly key: string;
  readonly value: string;
}

/**
 * How Grafana gets the dashboards.
 * - `configMap`: one ConfigMap per dashboard for the Grafana sidecar (kube-prometheus-stack, the Grafana Helm
 *   chart), which loads every ConfigMap carrying its label.
 * - `grafanaOperator`: one grafana-operator `GrafanaDashboard` per dashboard (grafana.integreatly.org/v1beta1),
 *   with the JSON inline.
 */
export type DashboardDelivery = ConfigMapDelivery | GrafanaOperatorDelivery;

/** Dashboards as ConfigMaps for the Grafana sidecar. */
export interface ConfigMapDelivery {
  readonly kind: 'configMap';
  /**
   * The label the sidecar selects (chart values `grafana.sidecar.dashboards.label` / `labelValue`).
   * @default { key: 'grafana_dashboard', value: '1' }
   */
  readonly label?: Label;
  /**
   * Grafana folder to file the dashboards in, as an annotation. The sidecar honours it only with
   * `sidecar.dashboards.folderAnnotation` set to {@link folderAnnotation} and
   * `sidecar.dashboards.provider.foldersFromFilesStructure: true`; both are off in the chart's defaults.
   * @default no annotation: the sidecar's default folder
   */
  readonly folder?: string;
  /** Annotation key carrying {@link folder}. @default 'grafana_folder' */
  readonly folderAnnotation?: string;
}

/** Dashboards as grafana-operator GrafanaDashboard resources. */
export interface GrafanaOperatorDelivery {
  readonly kind: 'grafanaOperator';
  /** Labels of the `Grafana` instances that import the dashboards. @default { dashboards: 'grafana' } (the operator docs' example) */
  readonly instanceSelector?: Readonly<Record<string, string>>;
  /** Grafana folder title. @default the operator's default folder */
  readonly folder?: string;
  /** How often the operator re-applies the dashboard, e.g. `'10m'`. @default the operator's (5m) */
  readonly resyncPeriod?: string;
  /** Let Grafana instances in other namespaces import the dashboards. @default false */
  readonly allowCrossNamespaceImport?: boolean;
}

/**
 * A dashboard built when the chart is synthesized rather than when the construct is created: the fleet
 * overview of {@link FleetOverview} lists services that may be added to the app after it.
 */
export interface DeferredDashboard {
  readonly uid: string;
  readonly title: string;
  readonly build: () => DashboardJson;
}

/** Props of {@link GrafanaDashboards}. */
export interface GrafanaDashboardsProps {
  /** Dashboard JSON, e.g. from `serviceDashboard(model)` or `fleetDashboard(models)`, or dashboards built at synth. */
  readonly dashboards: readonly (DashboardJson | DeferredDashboard)[];
  /** Namespace of the ConfigMaps or GrafanaDashboards. @default the chart's namespace */
  readonly namespace?: string;
  /** How Grafana gets them. @default { kind: 'configMap' } */
  readonly delivery?: DashboardDelivery;
}

/** Default folder annotation key of the Grafana Helm chart's documentation (`sidecar.dashboards.folderAnnotation`). */
export const DEFAULT_FOLDER_ANNOTATION = 'grafana_folder';

/** Default `instanceSelector` labels: the grafana-operator documentation's example. */
export const DEFAULT_INSTANCE_SELECTOR: Readonly<Record<string, string>> = { dashboards: 'grafana' };

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Object name of a dashboard: its uid, which is already a DNS label for uids from `dashboardUid`. */
function objectName(dashboard: { readonly uid: string }): string {
  if (!DNS_SUBDOMAIN.test(dashboard.uid) || dashboard.uid.length > 253) {
    throw new Error(`GrafanaDashboards: dashboard uid "${dashboard.uid}" is not a valid Kubernetes object name (lower-case a-z, 0-9, "-" and ".")`);
  }
  return dashboard.uid;
}

/**
 * Places generated dashboards where Grafana loads them: by default one ConfigMap per dashboard, labelled
 * `grafana_dashboard: "1"` with the JSON under `<uid>.json`; optionally a grafana-operator GrafanaDashboard
 * each instead. Fails at synth time when a dashboard is too big for client-side `kubectl apply`.
 *
 * @example
 * new GrafanaDashboards(chart, 'dashboards', {
 *   dashboards: [serviceDashboard(model)],
 *   namespace: model.namespace,
 *   delivery: { kind: 'configMap', folder: 'Services' },
 * });
 */
export class GrafanaDashboards extends Construct {
  /** The ConfigMaps or GrafanaDashboards, in the order of the dashboards. */
  readonly objects: readonly ApiObject[];

  constructor(scope: Construct, id: string, props: GrafanaDashboardsProps) {
    super(scope, id);
    const delivery: DashboardDelivery = props.delivery ?? { kind: 'configMap' };
    const seen = new Set<string>();
    this.objects = props.dashboards.map((dashboard) => {
      if (seen.has(dashboard.uid)) throw new Error(`GrafanaDashboards: two dashboards have uid "${dashboard.uid}"; Grafana would keep only one`);
      seen.add(dashboard.uid);
      if (!isDeferred(dashboard)) {
        const object = this.place(dashboard, serializeDashboard(dashboard, 'compact'), delivery, props.namespace);
        assertApplicableSize(describe(object, dashboard), object.toJson());
        return object;
      }
      // Built once, on first use at synth; the size check runs on the finished object, like the eager one's.
      let json: string | undefined;
      const object: ApiObject = this.place(
        dashboard,
        Lazy.any({ produce: () => (json ??= serializeDashboard(dashboard.build(), 'compact')) }),
        delivery,
        props.namespace,
      );
      object.node.addValidation({
        validate: () => {
          assertApplicableSize(describe(object, dashboard), object.toJson());
          return [];
        },
      });
      return object;
    });
  }

  /** `json` is compact: every byte counts against the last-applied-configuration annotation. */
  private place(dashboard: { readonly uid: string }, json: string, delivery: DashboardDelivery, namespace: string | undefined): ApiObject {
    const name = objectName(dashboard);
    switch (delivery.kind) {
      case 'configMap': {
        const label = delivery.label ?? { key: DASHBOARD_LABEL, value: DASHBOARD_LABEL_VALUE };
        const annotations = delivery.folder === undefined ? undefined : { [delivery.folderAnnotation ?? DEFAULT_FOLDER_ANNOTATION]: delivery.folder };
        return new k8s.KubeConfigMap(this, dashboard.uid, {
          metadata: { name, namespace, labels: { ...STACK_SELECTOR_LABELS, [label.key]: label.value }, annotations },
          // The sidecar only picks up keys ending in .json.
          data: { [dashboardFileName(dashboard)]: json },
        });
      }
      case 'grafanaOperator':
        return new GrafanaDashboard(this, dashboard.uid, {
          metadata: { name, namespace, labels: { ...STACK_SELECTOR_LABELS } },
          spec: {
            instanceSelector: { matchLabels: { ...(delivery.instanceSelector ?? DEFAULT_INSTANCE_SELECTOR) } },
            json,
            folder: delivery.folder,
            resyncPeriod: delivery.resyncPeriod,
            allowCrossNamespaceImport: delivery.allowCrossNamespaceImport,
          },
        });
    }
  }
}

function isDeferred(dashboard: DashboardJson | DeferredDashboard): dashboard is DeferredDashboard {
  return typeof (dashboard as DeferredDashboard).build === 'function';
}

function describe(object: ApiObject, dashboard: { readonly title: string }): string {
  return `${object.kind} "${object.name}" (dashboard "${dashboard.title}")`;
}

/**
 * The Kubernetes types paved's objects are checked against, from
 * kubernetes-models (a dev dependency: types only, erased at build). Objects
 * are plain data (kube-object.ts), so quantities and int-or-strings are the
 * strings and numbers Kubernetes reads. Named as the Kubernetes API names them.
 */
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { ICronJob } from 'kubernetes-models/batch/v1/CronJob';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';

export type { IContainer as Container } from 'kubernetes-models/v1/Container';
export type { IContainerPort as ContainerPort } from 'kubernetes-models/v1/ContainerPort';
export type { IEnvVar as EnvVar } from 'kubernetes-models/v1/EnvVar';
export type { IPodSecurityContext as PodSecurityContext } from 'kubernetes-models/v1/PodSecurityContext';
export type { IPodSpec as PodSpec } from 'kubernetes-models/v1/PodSpec';
export type { IProbe as Probe } from 'kubernetes-models/v1/Probe';
export type { IResourceRequirements as ResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
export type { ISecurityContext as SecurityContext } from 'kubernetes-models/v1/SecurityContext';
export type { IServicePort as ServicePort } from 'kubernetes-models/v1/ServicePort';
export type { ITopologySpreadConstraint as TopologySpreadConstraint } from 'kubernetes-models/v1/TopologySpreadConstraint';
export type { IVolume as Volume } from 'kubernetes-models/v1/Volume';
export type { IVolumeMount as VolumeMount } from 'kubernetes-models/v1/VolumeMount';
export type { IIngressTLS as IngressTLS } from 'kubernetes-models/networking.k8s.io/v1/IngressTLS';
export type { INetworkPolicyEgressRule as NetworkPolicyEgressRule } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyEgressRule';
export type { INetworkPolicyIngressRule as NetworkPolicyIngressRule } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyIngressRule';
export type { INetworkPolicyPeer as NetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
export type { INetworkPolicyPort as NetworkPolicyPort } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPort';

export type LabelSelector = NonNullable<INetworkPolicyPeer['podSelector']>;

/** The kinds paved builds from Kubernetes' own API, by kind. */
export interface Kinds {
  ConfigMap: IConfigMap;
  CronJob: ICronJob;
  Deployment: IDeployment;
  HorizontalPodAutoscaler: IHorizontalPodAutoscaler;
  Ingress: IIngress;
  Job: IJob;
  Namespace: INamespace;
  NetworkPolicy: INetworkPolicy;
  PodDisruptionBudget: IPodDisruptionBudget;
  Secret: ISecret;
  Service: IService;
  ServiceAccount: IServiceAccount;
}

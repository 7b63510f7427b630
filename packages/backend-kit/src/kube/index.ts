export {
  KubernetesApiError,
  kubernetesStatusOf,
  toBackstageError,
  toKubernetesApiError,
} from './errors';

export interface Config {
  pipelinePortal?: {
    clusters?: {
      /** Where cloud credentials and kubeconfigs are kept. */
      secrets?: {
        /**
         * The SecretStore implementation.
         * `database`: AES-256-GCM encrypted rows in the plugin's database.
         * `vault`: HashiCorp Vault's KV v2 engine.
         * @default database
         */
        store?: 'database' | 'vault';

        /** Settings of the `database` store. */
        database?: {
          /**
           * Encryption keys. The FIRST key encrypts every write; all keys
           * decrypt, each row naming its key by id. To rotate: prepend a new
           * key, run the store's `reencrypt()`, then remove the old key.
           * Required (there is no default or derived key, in development
           * either): the backend refuses to start without a valid key.
           */
          keys: Array<{
            /** Stored beside each row: 1-64 letters, digits, '.', '_' or '-'. */
            id: string;
            /**
             * 32 random bytes in standard base64, e.g. from
             * `openssl rand -base64 32`.
             * @visibility secret
             */
            secret: string;
          }>;
        };

        /** Settings of the `vault` store (required when store is `vault`). */
        vault?: {
          /** Vault's address, e.g. `https://vault.example.com:8200`. */
          endpoint: string;
          /**
           * KV version 2 mount.
           * @default secret
           */
          mount?: string;
          /**
           * Path below the mount; secrets live at
           * `<pathPrefix>/<owner>/<name>` (owner `group:default/payments`
           * becomes the segment `group~default~payments`).
           * @default pipeline-portal/credentials
           */
          pathPrefix?: string;
          /** Vault Enterprise namespace. */
          namespace?: string;
          /** PEM CA bundle to trust for Vault's TLS certificate (default: system CAs). */
          caCert?: string;
          /**
           * Timeout of each Vault request, in milliseconds.
           * @default 10000
           */
          requestTimeoutMs?: number;
          /**
           * How the portal authenticates: set exactly one of token,
           * kubernetes or approle. Tokens are renewed at 2/3 of their TTL;
           * with kubernetes or approle the portal logs in again when a
           * token expires or is refused (403).
           */
          auth: {
            /**
             * A Vault token.
             * @visibility secret
             */
            token?: string;
            /** Kubernetes auth method, with the pod's service account token. */
            kubernetes?: {
              role: string;
              /**
               * Service account token file, re-read at every login.
               * @default /var/run/secrets/kubernetes.io/serviceaccount/token
               */
              jwtPath?: string;
              /**
               * Mount path of the auth method.
               * @default kubernetes
               */
              mountPath?: string;
            };
            /** AppRole auth method. */
            approle?: {
              roleId: string;
              /** @visibility secret */
              secretId: string;
              /**
               * Mount path of the auth method.
               * @default approle
               */
              mountPath?: string;
            };
          };
        };
      };
      /**
       * The management cluster where Cluster API and Crossplane run. Without
       * it the portal imports clusters but does not provision them.
       */
      management?: {
        /** API server URL, e.g. https://mgmt.example.com:6443 */
        url: string;
        /** Base64 PEM of the API server's CA; the system CAs when absent. */
        caData?: string;
        /**
         * Bearer token of the portal's service account there.
         * @visibility secret
         */
        token: string;
        /**
         * Namespace holding the portal's cluster resources.
         * @default pipeline-clusters
         */
        namespace?: string;
        /**
         * Per request timeout, in seconds.
         * @default 10
         */
        requestTimeoutSeconds?: number;
      };
      /**
       * Kubernetes minor versions offered per distribution (eks, aks, gke,
       * oke, ack, doks), e.g. `eks: ['1.32', '1.33']`.
       * @default 1.31, 1.32 and 1.33 for each
       */
      versions?: { [distribution: string]: string[] };
      reconcile?: {
        /** @default 10 */
        intervalSeconds?: number;
        /** Clusters reconciled at once. @default 40 */
        concurrency?: number;
        /** Requests per second against one cluster's resources. @default 20 */
        requestsPerSecondPerCluster?: number;
        /** Provisioning longer than this is an Error. @default 60 */
        provisioningTimeoutMinutes?: number;
        /** Back-off cap after management API failures. @default 300 */
        maxBackoffSeconds?: number;
        /** How often a Running cluster's status is read again. @default 60 */
        resyncSeconds?: number;
      };
      /**
       * Which backend plugins may call the service-to-service routes, by
       * plugin id (a plugin's service token has the subject `plugin:<id>`).
       * Any other plugin gets 403 before anything is read; user tokens are
       * always refused there. A value that is not a plugin id stops the
       * backend at start-up.
       */
      serviceAccess?: {
        /**
         * `GET /clusters/{name}/access`: a cluster's API server and the
         * portal's credential for it. Also the plugins that may read one team
         * namespace (`GET /clusters/{name}/namespaces/{namespace}`).
         * @default ['kubernetes', 'spotguides', 'integrated-services']
         */
        clusterAccess?: string[];
        /**
         * `GET /clusters/{name}/access` answered with the API server and its
         * CA only, never a credential: for the catalog's cluster entities.
         * @default ['catalog']
         */
        clusterCertificateAuthority?: string[];
        /**
         * `GET /credentials/{owner}/{name}/value`: a cloud credential's value.
         * @default ['integrated-services']
         */
        credentialValue?: string[];
      };
      /**
       * What the portal adds to every team namespace it creates or updates
       * (`POST /clusters/{name}/namespaces`, `pipeline:namespace:create`).
       * A value at fault stops the backend at start-up, naming the key.
       */
      namespaces?: {
        /**
         * Egress of team namespaces is denied but for DNS (kube-dns or
         * CoreDNS in kube-system, port 53) and the namespace's own pods.
         */
        egress?: {
          /**
           * Further destinations, e.g. a registry's or Git server's range,
           * or `0.0.0.0/0` for the internet. The cloud metadata addresses
           * (169.254.169.254/32, fd00:ec2::254/128, 100.100.100.200/32) are
           * cut out of every range with `ipBlock.except`; a range that is
           * only a metadata address is refused. Pipelines that deploy with
           * Helm need the cluster's API server addresses here.
           * @default []
           */
          allow?: Array<{
            /** A canonical CIDR, e.g. `10.20.0.0/16` or `2001:db8::/32`. */
            cidr: string;
            /** Every port when absent. */
            ports?: Array<{
              /** 1-65535. */
              port: number;
              /**
               * TCP, UDP or SCTP.
               * @default TCP
               */
              protocol?: string;
            }>;
          }>;
        };
        /**
         * Registries every container image must come from, e.g.
         * `ghcr.io/acme` or `registry.example.com:5000` (a Kyverno policy
         * matching `<registry>/*`; images must name their registry). Empty:
         * any registry.
         * @default []
         */
        allowedRegistries?: string[];
        /**
         * Whether teams may create Services of type LoadBalancer. NodePort
         * Services and externalIPs are always refused.
         * @default false
         */
        allowLoadBalancerServices?: boolean;
        /**
         * Who may change, delete or create under their names the objects the
         * portal renders inside team namespaces, and give team namespaces
         * egress beyond `egress.allow`, besides the ClusterRole
         * `cluster-admin` and the control plane (`system:masters`,
         * `system:kube-controller-manager`, the service accounts of
         * kube-system), which always may. Enforced by the Kyverno
         * ClusterPolicy `pipeline-portal-team-namespaces` the portal applies
         * with every team namespace. List the portal's own credential here
         * when it is not bound to `cluster-admin` through RBAC (on EKS, an
         * access entry with AmazonEKSClusterAdminPolicy is not), and any
         * controller that writes such objects (Kyverno's background
         * controller for admins' generate policies, OpenShift's pull-secret
         * controller). Names are exact: no wildcards, and no group that
         * every user or service account is in.
         * @default []
         */
        guardianSubjects?: Array<{
          /** User, Group or ServiceAccount. */
          kind: 'User' | 'Group' | 'ServiceAccount';
          /** The user name, group name, or service account name. */
          name: string;
          /** The service account's namespace (ServiceAccount only). */
          namespace?: string;
        }>;
      };
      import?: {
        /**
         * CIDRs an imported cluster's API server may be in although private
         * or loopback (admins only), e.g. 10.20.0.0/16.
         * @default []
         */
        allowedCidrs?: string[];
        /** Timeout of the /version probe, in milliseconds. @default 5000 */
        probeTimeoutMs?: number;
      };
    };
  };
}

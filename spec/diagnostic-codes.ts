/**
 * Every diagnostic code paved reports, in one table: the stage that finds it,
 * a title, and the hint a diagnostic of the code carries when it brings none
 * of its own. Codes are part of paved's interface (tests, CI annotations and
 * users match on them), so a code is added here or not at all: the type
 * DiagnosticCode makes any other string a compile error, and
 * docs/diagnostics.md is generated from this table (npm run spec:generate).
 */
export type DiagnosticStage = 'load' | 'validate' | 'emit' | 'policy' | 'check' | 'cli';

export interface DiagnosticCodeInfo {
  readonly stage: DiagnosticStage;
  /** What is wrong, in a few words. */
  readonly title: string;
  /** How to fix it in general; a diagnostic's own hint is more precise. */
  readonly hint: string;
}

/** What each stage is, in the order a compile runs them. */
export const DIAGNOSTIC_STAGES: Readonly<Record<DiagnosticStage, string>> = {
  cli: 'the command line',
  load: 'reading spec files: finding them and parsing their YAML strictly',
  validate: 'checking the specs against their schemas and against each other',
  emit: 'generating files: overrides and the paths emitters plan',
  policy: 'the policy that runs on the generated output, after overrides',
  check: '`paved check`: the committed tree, and with `--base`, what a change would destroy',
};

export const DIAGNOSTIC_CODES = {
  'CLI.BAD_OUT': { stage: 'cli', title: '--out leaves the repository', hint: 'give a relative directory inside the repository, e.g. --out generated' },

  'LOAD.ALIAS': { stage: 'load', title: 'YAML anchor or alias', hint: 'write values out in full: anchors and aliases let one value expand without bound' },
  'LOAD.DIRECTIVE': { stage: 'load', title: 'YAML directive', hint: 'remove the line: paved reads every spec as YAML 1.2' },
  'LOAD.DUPLICATE_KEY': { stage: 'load', title: 'a map key appears twice', hint: 'remove or rename one of the two keys; YAML keeps only one of them' },
  'LOAD.EMPTY': { stage: 'load', title: 'empty spec file', hint: 'write the spec, or delete the file' },
  'LOAD.ENCODING': { stage: 'load', title: 'not UTF-8', hint: 'save the file as UTF-8' },
  'LOAD.KEY_TOO_LONG': { stage: 'load', title: 'key longer than YAML allows', hint: 'keys are short names; put long text after the colon' },
  'LOAD.MERGE_KEY': { stage: 'load', title: 'YAML merge key', hint: 'write the keys out in full; YAML 1.2 has no merge keys' },
  'LOAD.MULTIPLE_DOCUMENTS': { stage: 'load', title: 'more than one YAML document', hint: 'keep one document per file: one service.yaml per service' },
  'LOAD.NESTED_ROOT': {
    stage: 'load',
    title: 'a root without platform.yaml inside a repository that has one',
    hint: 'compile the repository root, or pass --root to the folder holding platform.yaml',
  },
  'LOAD.NON_STRING_KEY': { stage: 'load', title: 'a map key that is not a string', hint: 'use plain strings as keys' },
  'LOAD.NOT_A_FILE': {
    stage: 'load',
    title: 'a spec that is not a regular file',
    hint: 'replace it with the file itself: paved reads no spec through a link, and never a FIFO or a device',
  },
  'LOAD.NO_SERVICES': {
    stage: 'load',
    title: 'no service.yaml under the root',
    hint: 'run "paved init <dir> --name <service>" to create one, or point at your repository',
  },
  'LOAD.SPEC_FILE_NAME': { stage: 'load', title: 'a spec file with a near-miss name', hint: 'rename the file to service.yaml' },
  'LOAD.TAB': { stage: 'load', title: 'tab in indentation', hint: 'indent with spaces; YAML forbids tabs in indentation' },
  'LOAD.TAG': { stage: 'load', title: 'YAML tag', hint: 'remove the tag; if you need a string, quote the value' },
  'LOAD.TOO_DEEP': { stage: 'load', title: 'nesting too deep', hint: 'flatten the value; no spec field nests this deep' },
  'LOAD.TOO_LARGE': { stage: 'load', title: 'spec file too large', hint: 'a spec is a page of YAML; move data out of it' },
  'LOAD.TOO_MANY_ENTRIES': { stage: 'load', title: 'too many entries', hint: 'every list in a spec is bounded; split the data out of the spec' },
  'LOAD.UNREADABLE': {
    stage: 'load',
    title: 'a folder or spec file paved cannot read',
    hint: 'make it readable, or give it a shorter path; paved cannot tell what specs it holds',
  },
  'LOAD.YAML_SYNTAX': { stage: 'load', title: 'YAML syntax error', hint: 'fix the YAML syntax at this position' },

  'SPEC.CI_ROLE_ACCOUNT': {
    stage: 'validate',
    title: "a CI role in another environment's account",
    hint: "use a role ARN in the environment's own AWS account",
  },
  'SPEC.CONST': { stage: 'validate', title: 'a fixed value differs', hint: 'write the value the schema requires' },
  'SPEC.DATABASE_VERSION': {
    stage: 'validate',
    title: 'a database version its engine does not have',
    hint: 'write a version RDS offers for the engine: "16" for postgres, "8.0" or "8.4" for mysql',
  },
  'SPEC.DEPRECATED_LOCK_TABLE': {
    stage: 'validate',
    title: 'terraform.lockTable is deprecated',
    hint: 'remove it: state locks live in the state bucket (S3 native locking)',
  },
  'SPEC.DUPLICATE': { stage: 'validate', title: 'duplicate list item', hint: 'remove the duplicate' },
  'SPEC.DUPLICATE_PORT': { stage: 'validate', title: 'two ports with one number', hint: 'every container and Service port has its own number' },
  'SPEC.ENUM': { stage: 'validate', title: 'value not among the allowed ones', hint: 'write one of the listed values' },
  'SPEC.ENV_TOO_LARGE': {
    stage: 'validate',
    title: 'environment variables too large',
    hint: 'move large values into a ConfigMap the app reads, or out of the environment',
  },
  'SPEC.FOLDER_PATH': {
    stage: 'validate',
    title: 'a spec folder name that is not portable',
    hint: 'rename the folder: lowercase letters, digits, "-", "_" and "."',
  },
  'SPEC.IDENTICAL_PROBES': {
    stage: 'validate',
    title: 'liveness and readiness on one path',
    hint: 'give readiness its own path (e.g. /readyz) and keep liveness to the process itself (e.g. /healthz)',
  },
  'SPEC.INVALID': { stage: 'validate', title: 'value does not match the schema', hint: 'see the reference for this key (docs/reference)' },
  'SPEC.KEY_NAME': { stage: 'validate', title: 'a map key of the wrong form', hint: 'rename the key to the form the reference gives' },
  'SPEC.LENGTH': { stage: 'validate', title: 'text too short or too long', hint: 'shorten or lengthen the value to the limit given' },
  'SPEC.METRICS_ON_GRPC_PORT': {
    stage: 'validate',
    title: 'metrics declared on a gRPC port',
    hint: 'serve the metrics on an HTTP port and declare that one in observability.metrics.port',
  },
  'SPEC.NON_ASCII': { stage: 'validate', title: 'a name with a non-ASCII character', hint: 'retype the name in plain ASCII' },
  'SPEC.NUMBER_FORMAT': {
    stage: 'validate',
    title: 'a number that is not a plain decimal',
    hint: 'write numbers as plain decimals; quote the value if you meant text',
  },
  'SPEC.OUTPUT_DIR': {
    stage: 'validate',
    title: 'an output folder paved may not write',
    hint: 'choose a relative folder inside the repository that holds no spec',
  },
  'SPEC.PATH_OUTSIDE_REPO': {
    stage: 'validate',
    title: 'a path outside the repository',
    hint: "use a path relative to the spec's folder that stays inside the repository",
  },
  'SPEC.PATTERN': { stage: 'validate', title: 'text of the wrong form', hint: 'write the value in the form the message gives' },
  'SPEC.PLAN_ROLE_NAME': {
    stage: 'validate',
    title: 'no room for the production plan role name',
    hint: 'shorten the production CI role name: paved appends "-plan"',
  },
  'SPEC.PREDICTABLE_BUCKET_NAMES': {
    stage: 'validate',
    title: 'bucket names anyone can claim first',
    hint: 'set cloud.bucketNameSuffix in platform.yaml to a random value',
  },
  'SPEC.PROMETHEUS_RETENTION': {
    stage: 'validate',
    title: 'metrics kept shorter than the SLO window',
    hint: 'keep metrics at least as long as the SLO window',
  },
  'SPEC.PROVIDER_CONSTRAINT': {
    stage: 'validate',
    title: 'an AWS provider constraint paved cannot lock to',
    hint: 'write a range that admits the hashicorp/aws version paved locks',
  },
  'SPEC.PROVIDER_NOT_LOCKABLE': {
    stage: 'validate',
    title: 'an AWS provider constraint without a lock',
    hint: 'admit the version paved ships a lock file for',
  },
  'SPEC.RANGE': { stage: 'validate', title: 'number out of range', hint: 'use a value within the limits given' },
  'SPEC.RENAME_DUPLICATE': {
    stage: 'validate',
    title: 'two renames from one deployed name',
    hint: 'keep renamedFrom on the entry or service that is the deployed one',
  },
  'SPEC.RENAME_SAME': { stage: 'validate', title: 'renamedFrom is the own name', hint: 'remove renamedFrom, or set it to the name it was deployed under' },
  'SPEC.RENAME_TAKEN': {
    stage: 'validate',
    title: 'renamedFrom is the name of another entry or service',
    hint: 'rename the other one in a change of its own, or remove renamedFrom',
  },
  'SPEC.REQUIRED': { stage: 'validate', title: 'required key missing', hint: 'add the key' },
  'SPEC.RESERVED_PORT_NAME': { stage: 'validate', title: 'a port named like the main or the metrics port', hint: 'choose another port name, e.g. "admin"' },
  'SPEC.RESOURCE_TYPE_MODULE': {
    stage: 'validate',
    title: "a resource type's module is missing or does not fit",
    hint: 'point module at a folder of .tf files in the repository that declares the variables paved passes and the outputs the type names (docs/resource-types.md)',
  },
  'SPEC.RESOURCE_TYPE_NAME': {
    stage: 'validate',
    title: 'a resource type named like a built-in resource',
    hint: 'rename the type: built-in resource kinds and connection kinds keep their names',
  },
  'SPEC.RESOURCE_TYPE_SCHEMA': {
    stage: 'validate',
    title: "a resource type's inputs schema is not usable",
    hint: 'write inputs as a JSON Schema (draft 2020-12) of type object with properties and additionalProperties: false',
  },
  'SPEC.S3_EGRESS': { stage: 'validate', title: 'egress that cannot reach S3', hint: 'open the ranges S3 is reached at, per kubernetes.egress.s3Endpoint' },
  'SPEC.SHARED_STATE_BUCKET': { stage: 'validate', title: 'one state bucket for staging and production', hint: 'give each environment its own state bucket' },
  'SPEC.SHARED_VPC': {
    stage: 'validate',
    title: 'one VPC for staging and production',
    hint: 'give each environment its own VPC, or confirm it is shared through RAM',
  },
  'SPEC.SUBNETS_PER_VPC': {
    stage: 'validate',
    title: 'subnets that do not fit the VPC',
    hint: "list private subnets of the environment's VPC, in at least two availability zones",
  },
  'SPEC.TLS_ISSUER_UNUSED': {
    stage: 'validate',
    title: 'a ClusterIssuer nothing uses',
    hint: 'remove tlsClusterIssuer, or set kubernetes.tlsCertificates: cert-manager',
  },
  'SPEC.TYPE': { stage: 'validate', title: 'value of the wrong type', hint: 'write a value of the type given' },
  'SPEC.UNKNOWN_RESOURCE_TYPE': {
    stage: 'validate',
    title: 'a resource kind neither built in nor declared by the platform',
    hint: "use a built-in resource kind or one of the platform's resourceTypes",
  },
  'SPEC.UNKNOWN_KEY': { stage: 'validate', title: 'unknown key', hint: 'remove the key, or correct its spelling' },
  'SPEC.WORKER_PORTS': {
    stage: 'validate',
    title: 'a worker with a servicePort or ports',
    hint: 'add runtime.port, or remove runtime.servicePort and runtime.ports',
  },
  'SPEC.WORKER_INGRESS': { stage: 'validate', title: 'a worker with an ingress', hint: 'add runtime.port, or remove ingress' },
  'SPEC.WORKER_SLO': { stage: 'validate', title: 'a worker with a request SLO', hint: 'remove observability.slo, or add runtime.port' },

  'REF.DUPLICATE_ENV': { stage: 'validate', title: 'a secret that is also a plain variable', hint: 'remove the plain variable: the secret provides it' },
  'REF.DUPLICATE_NAME': { stage: 'validate', title: 'a name declared twice', hint: 'names are unique per kind within a service; rename or remove one' },
  'REF.DUPLICATE_SERVICE': { stage: 'validate', title: 'two services of one name', hint: 'service names are unique in a repository; rename one of them' },
  'REF.RENAME_MISMATCH': { stage: 'validate', title: "a subscription that does not follow its topic's rename", hint: 'say the renamedFrom the topic says' },
  'REF.RESERVED_ENV': { stage: 'validate', title: 'a variable paved sets', hint: 'rename the variable' },
  'REF.RETIRED_SERVICE': {
    stage: 'validate',
    title: 'a reference to a retired service',
    hint: 'remove the dependsOn entry or subscription before the service is retired',
  },
  'REF.SELF_DEPENDENCY': { stage: 'validate', title: 'a service depending on itself', hint: 'remove the entry' },
  'REF.UNKNOWN_SERVICE': { stage: 'validate', title: 'no such service', hint: "check the name in the other service's service.yaml" },
  'REF.UNKNOWN_TIER': { stage: 'validate', title: 'no such tier', hint: 'use a tier platform.yaml defines' },
  'REF.UNKNOWN_TOPIC': { stage: 'validate', title: 'no such topic', hint: "use a topic the publisher's resources.topics declares" },

  'NAME.COLLISION': { stage: 'validate', title: 'two resources would share one derived name', hint: 'rename one of them' },
  'NAME.DERIVED': {
    stage: 'validate',
    title: 'a derived name breaks the rules of its system',
    hint: 'shorten or rename the service or resource; paved never truncates or rewrites names',
  },
  'NAME.QUEUE_COLLISION': { stage: 'validate', title: 'two subscriptions would share a queue', hint: 'rename one of the topics' },
  'NAME.RDS_PREFIX': { stage: 'validate', title: "a database identifier that begins with another service's", hint: 'rename one of the databases or services' },
  'NAME.RESERVED': { stage: 'validate', title: 'a name Windows reserves', hint: 'choose another name' },

  'CLAIM.DUPLICATE_ROUTE': { stage: 'validate', title: 'a host and path two services claim', hint: 'choose another path or host' },
  'CLAIM.HOST_OUTSIDE_DOMAIN': {
    stage: 'validate',
    title: "a host outside the platform's domains",
    hint: 'use a host under the platform domain, or ask the platform team to list it',
  },
  'CLAIM.RESERVED_HOST': { stage: 'validate', title: 'a host paved reserves', hint: 'choose a host of your own' },

  'EGRESS.CIDR': {
    stage: 'validate',
    title: 'an egress cidr that is no address block',
    hint: 'write an IPv4 or IPv6 block with its prefix length, e.g. 203.0.113.0/24',
  },
  'EGRESS.CIDR_NOT_CANONICAL': {
    stage: 'validate',
    title: 'an egress cidr not in canonical form',
    hint: 'write the block with its host bits zero, as the message says',
  },
  'EGRESS.CIDR_RESERVED': {
    stage: 'validate',
    title: 'an egress cidr reaching the node or the pod',
    hint: 'name blocks outside loopback, link-local (instance metadata, Pod Identity), multicast and reserved ranges',
  },
  'EGRESS.DESTINATION': {
    stage: 'validate',
    title: 'an egress entry without exactly one destination',
    hint: 'give each entry one host or one cidr, and a port',
  },
  'EGRESS.DUPLICATE': { stage: 'validate', title: 'an egress destination and port listed twice', hint: 'remove one of the entries' },
  'EGRESS.HOST': {
    stage: 'validate',
    title: 'an egress host that is no public DNS name',
    hint: 'write a lower-case DNS name, e.g. api.example.com, or *.example.com for its subdomains',
  },
  'EGRESS.NOT_ALLOWED': {
    stage: 'validate',
    title: 'an egress destination the platform does not allow',
    hint: 'ask the platform team to allow it (platform.yaml kubernetes.egress.allow), or remove the entry',
  },
  'CRON.INVALID': { stage: 'validate', title: 'invalid cron schedule', hint: 'write five fields in UTC, e.g. "0 3 * * *"' },

  'SEC.GITHUB_EXPRESSION': {
    stage: 'validate',
    title: 'a GitHub Actions expression in a spec',
    hint: 'specs are data, never workflow code: remove the expression',
  },
  'SEC.HIDDEN_CHARACTER': { stage: 'validate', title: 'an invisible or control character', hint: 'delete it' },
  'SEC.LITERAL_SECRET': {
    stage: 'validate',
    title: 'a credential written into a spec',
    hint: 'declare it under secrets: by name and set its value in the secret store; rotate the leaked one',
  },
  'SEC.SHELL_COMMAND': { stage: 'validate', title: 'a shell string in a command', hint: 'call the program directly as a list of arguments' },

  'POLICY.BACKUP_RETENTION': { stage: 'validate', title: 'backups kept too briefly', hint: "keep backups at least as long as the platform's policy" },
  'POLICY.DATABASE_STORAGE': {
    stage: 'validate',
    title: "database storage outside the platform's bounds",
    hint: 'ask for storage within platform.yaml sizes.databaseStorageGiB',
  },
  'POLICY.ENVIRONMENT_REQUIRED': {
    stage: 'validate',
    title: 'staging or production disabled',
    hint: 'every service runs in staging and production; only preview may be disabled',
  },
  'POLICY.MIN_REPLICAS': { stage: 'validate', title: "fewer replicas than the tier's minimum", hint: 'raise scaling.min, or choose another tier' },
  'POLICY.PUBLIC_BUCKET': { stage: 'validate', title: 'a public bucket', hint: 'keep buckets private; serve public files through a CDN the platform provides' },
  'POLICY.RESERVED_PORT': {
    stage: 'validate',
    title: "the platform's metrics port as an app port",
    hint: 'listen on another port, or declare observability.metrics.port if that port serves the metrics',
  },
  'POLICY.SCALING': { stage: 'validate', title: 'scaling.max below scaling.min', hint: 'raise max or lower min' },
  'POLICY.SLO_BELOW_TIER': { stage: 'validate', title: 'an SLO below the tier', hint: 'raise the objective, or move the service to a tier that promises less' },
  'POLICY.UNKNOWN_RULE': { stage: 'validate', title: 'a waiver of no known rule', hint: 'waive a rule id the security model lists' },
  'POLICY.PAVED_BUG': { stage: 'policy', title: 'paved generated output its own policy rejects', hint: 'this is a bug in paved: report it with the spec' },
  'POLICY.VIOLATION': {
    stage: 'policy',
    title: 'output an override made break the policy',
    hint: 'remove the override, or ask the platform team for a waiver',
  },
  'POLICY.WAIVED': { stage: 'policy', title: 'a policy rule waived by the platform', hint: 'nothing to do: the waiver is reported so it stays visible' },

  'EMIT.BAD_PATH': { stage: 'emit', title: 'an emitter planned a path outside its folders', hint: 'this is a bug in paved: report it with the spec' },
  'EMIT.COLLISION': { stage: 'emit', title: 'two emitters planned one path', hint: 'rename the service or output folder that collides' },
  'EMIT.DEFAULT_PROJECT': { stage: 'emit', title: "Applications in Argo CD's default project", hint: 'set gitops.project in platform.yaml' },
  'EMIT.OVERRIDE_ENVIRONMENTS': { stage: 'emit', title: 'a Terraform override for one environment', hint: 'list both environments or leave environments out' },
  'EMIT.OVERRIDE_FORBIDDEN': {
    stage: 'emit',
    title: 'an override of what the golden path keeps',
    hint: 'ask the platform team for a waiver, or keep the default',
  },
  'EMIT.OVERRIDE_IDENTITY': { stage: 'emit', title: 'an override of what identifies an object', hint: 'patch attributes, not the identity or meta-arguments' },
  'EMIT.OVERRIDE_PATCH': {
    stage: 'emit',
    title: 'a patch that does not apply',
    hint: 'check the JSON pointer against the generated object (paved explain, the generated file)',
  },
  'EMIT.OVERRIDE_TARGET': { stage: 'emit', title: 'an override of an object paved does not generate', hint: 'target an object the service generates' },
  'EMIT.OVERRIDE_VALUE': { stage: 'emit', title: 'a patched value the format cannot hold', hint: 'write a value of a type the target attribute takes' },
  'EMIT.PREVIEW_COLLISION': {
    stage: 'emit',
    title: "two objects of one preview's namespace share a name",
    hint: 'rename one of the services or resources: a preview runs the service and its dependencies in one namespace',
  },
  'EMIT.PREVIEW_NAME': {
    stage: 'emit',
    title: "a dependency's object name in a preview breaks Kubernetes' rules",
    hint: 'shorten the service or resource name; paved never truncates names',
  },

  'CHECK.BASE_DOES_NOT_COMPILE': {
    stage: 'check',
    title: 'the base revision does not compile',
    hint: 'fix the base branch first, or compare with another revision',
  },
  'CHECK.DATA_LOSS': {
    stage: 'check',
    title: 'a change destroys or replaces a stateful resource',
    hint: 'say so in a reviewed dataLoss: line, or rename with renamedFrom',
  },
  'CHECK.DATA_LOSS_ACKNOWLEDGED': {
    stage: 'check',
    title: 'an acknowledged data loss',
    hint: 'nothing to do: the reviewed reason is repeated so the loss stays visible',
  },
  'CHECK.MODULE_INPUTS_CHANGED': {
    stage: 'check',
    title: "a stateful platform resource type's module gets other inputs",
    hint: "read the pull request's plan: paved cannot tell whether the platform's module replaces what it holds",
  },
  'CHECK.RETENTION_SHORTENED': {
    stage: 'check',
    title: 'an update shortens how long a resource keeps data',
    hint: 'what is older than the new setting is deleted at the apply: keep the setting as it was unless that is intended',
  },
  'CHECK.STATE_MOVED': {
    stage: 'check',
    title: "a Terraform root's state or region moves",
    hint: 'move each state (terraform init -migrate-state) before merging, or keep terraform.stateBucket and cloud.region as they were',
  },
  'CHECK.PROTECTION_LIFTED': {
    stage: 'check',
    title: 'a new dataLoss: entry lifts the protection of a resource still declared',
    hint: 'merge it only to remove or replace the resource next, and take the entry out once that has reached every environment',
  },
  'CHECK.DELETION_PROTECTED': {
    stage: 'check',
    title: 'AWS would refuse the destroy',
    hint: 'merge the dataLoss: entry first, let it apply everywhere, then remove the resource',
  },
  'CHECK.STORAGE_SHRINK': {
    stage: 'check',
    title: "a database's storage would shrink",
    hint: 'keep storageGiB where it was or raise it; RDS never shrinks allocated storage',
  },
  'CHECK.PLATFORM_DATA_LOSS': {
    stage: 'check',
    title: "a change destroys the platform's stateful resources",
    hint: 'keep what forces it, or move the state by hand first',
  },
  'CHECK.SERVICE_REMOVED': {
    stage: 'check',
    title: 'a service removed without being retired',
    hint: 'retire it first (docs, Retiring a service), then delete it',
  },
  'CHECK.MISSING': { stage: 'check', title: 'a generated file is missing', hint: 'run paved compile and commit the result' },
  'CHECK.STALE': { stage: 'check', title: 'a generated file is out of date', hint: 'run paved compile and commit the result' },
  'CHECK.EDITED': {
    stage: 'check',
    title: 'a generated file was edited by hand',
    hint: 'move the change into the spec (or an override) and run paved compile',
  },
  'CHECK.ORPHANED': { stage: 'check', title: 'a generated file no spec produces', hint: 'run paved compile, which deletes it, and commit the result' },
  'CHECK.UNOWNED': { stage: 'check', title: 'a file paved does not own where it would write', hint: 'move the file out of the way, then run paved compile' },
  'CHECK.UNLISTED': {
    stage: 'check',
    title: 'a file in the generated folders that paved did not write',
    hint: 'remove it: the generated folders hold only what paved writes',
  },
  'CHECK.MANIFEST': { stage: 'check', title: 'the manifest of generated files is out of date', hint: 'run paved compile and commit the result' },
} as const satisfies Readonly<Record<string, DiagnosticCodeInfo>>;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

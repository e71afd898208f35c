/**
 * The commented starter platform.yaml written by `paved init --platform`. Every
 * value only the platform team knows (accounts, network, clusters, registry,
 * state buckets, repository) is left empty, so the file fails validation, with a
 * position, until each one is filled in: a starter must never compile against
 * placeholder accounts. Everything else shows the embedded default it keeps.
 * `bucketNameSuffix` is the one value paved can choose, at random, once. It is
 * written quoted (a JSON string is a YAML double-quoted scalar): eight random
 * hex digits are all decimal digits about once in 43 draws, and YAML would then
 * read them as a number.
 */
export function renderStarterPlatform(options: { readonly schemaPath: string; readonly bucketNameSuffix: string }): string {
  return `# yaml-language-server: $schema=${options.schemaPath}
# The platform team's file: what every service stack, manifest and workflow of
# this repository is compiled against. Fill in every "" below; paved validate
# points at each one still empty. Keys left out keep paved's embedded defaults
# (paved's docs/reference/platform.md).
apiVersion: paved/v1
kind: Platform
name: ""                     # short DNS label; starts every bucket name, e.g. acme
domain: ""                   # services answer at <service>.<domain>, e.g. acme.example.com

cloud:
  region: eu-west-1
  accounts: { staging: "", production: "" }        # 12-digit AWS account ids, quoted
  # The platform's bucket for S3 server access logs, in each account.
  accessLogBuckets: { staging: "", production: "" }
  # Ends every service bucket's name so no one else can create the names first;
  # chosen at random by paved init. Never change it once buckets exist.
  bucketNameSuffix: ${JSON.stringify(options.bucketNameSuffix)}

network:                     # where databases and caches are placed, per account
  vpcId: { staging: "", production: "" }                      # vpc-…
  privateSubnetIds: { staging: [""], production: [""] }       # subnet-…, one per zone
  podSecurityGroupIds: { staging: "", production: "" }        # the EKS cluster security group, sg-…

kubernetes:
  clusters: { preview: "", staging: "", production: "" }      # EKS cluster names

registry: ""                 # where images are pushed, e.g. ghcr.io/acme

terraform:
  # One state bucket per account (S3 names are global); _platform/terraform creates them.
  stateBucket: { staging: "", production: "" }

gitops:
  repoURL: ""                # the https URL of this repository, which Argo CD reads

ci:
  # The IAM roles GitHub Actions assumes through OIDC; _platform/terraform creates them.
  roleArns: { preview: "", staging: "", production: "" }     # arn:aws:iam::<account>:role/<name>
  repository: ""             # owner/name of this repository: only its workflows may assume the roles
`;
}

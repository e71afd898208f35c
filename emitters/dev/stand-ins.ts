import type { ResolvedProject, ResolvedService } from '../../spec/model.js';
import { names } from '../../spec/naming.js';
import { pinnedImage } from '../shared/stand-in-images.js';
import {
  DEV_DATABASE_PASSWORD,
  DEV_DATABASE_USER,
  DEV_LOCALSTACK,
  DEV_LOCALSTACK_CREDENTIALS,
  DEV_LOCALSTACK_PORT,
  DEV_LOCALSTACK_URL,
  devBucket,
  devStandInName,
  queueArn,
  sqlName,
  standInFor,
  topicArn,
} from './names.js';

/**
 * One stand-in container of the Compose project: one per database and cache, per
 * platform resource type entry whose type names a `standIn`, and LocalStack.
 */
export interface DevStandIn {
  /** Its Compose service name, which is also its host name. */
  readonly name: string;
  /** Pinned by digest where emitters/shared/stand-in-images.ts knows the reference. */
  readonly image: string;
  readonly command?: readonly string[];
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * The `CMD` test Compose runs; dependents start once it passes (`service_healthy`).
   * Absent for a platform type's stand-in, whose image may hold no tool to probe with: dependents wait for it to start.
   */
  readonly healthcheck?: readonly string[];
}

/** The stand-ins of one service's databases and caches, at the versions production runs. */
export function serviceStandIns(service: ResolvedService, project: ResolvedProject): DevStandIn[] {
  const { preview } = project.platform.kubernetes;
  return [
    ...service.resources.databases.map((database): DevStandIn => {
      const name = devStandInName(standInFor(database), service.name);
      const dbname = sqlName(database.name);
      if (database.engine === 'mysql')
        return {
          name,
          image: pinnedImage(`${preview.mysqlRepository}:${database.version}`),
          environment: { MYSQL_DATABASE: dbname, MYSQL_USER: DEV_DATABASE_USER, MYSQL_PASSWORD: DEV_DATABASE_PASSWORD, MYSQL_RANDOM_ROOT_PASSWORD: 'yes' },
          // 0 whenever the server answers: ready once the entrypoint's setup server is gone and the real one listens on TCP.
          healthcheck: ['mysqladmin', 'ping', '--host=127.0.0.1', '--silent'],
        };
      return {
        name,
        image: pinnedImage(`${preview.postgresRepository}:${database.version}`),
        // Trust, as in preview: any password or IAM token passes.
        environment: { POSTGRES_DB: dbname, POSTGRES_USER: DEV_DATABASE_USER, POSTGRES_HOST_AUTH_METHOD: 'trust' },
        healthcheck: ['pg_isready', '--host', '127.0.0.1', '--username', DEV_DATABASE_USER, '--dbname', dbname],
      };
    }),
    ...service.resources.caches.map((cache): DevStandIn => ({
      name: devStandInName(standInFor(cache), service.name),
      image: pinnedImage(preview.redisImage),
      // A cache: nothing is saved to disk.
      command: ['redis-server', '--save', '', '--appendonly', 'no'],
      healthcheck: ['redis-cli', 'ping'],
    })),
    // A platform resource type's stand-in, when the type names one (resourceTypes.<type>.standIn): its image, pinned there.
    ...service.resources.typed.flatMap((resource): DevStandIn[] => {
      const standIn = project.platform.resourceTypes[resource.type]?.standIn;
      return standIn ? [{ name: devStandInName(standInFor(resource), service.name), image: standIn.image }] : [];
    }),
  ];
}

/** One LocalStack for the repository (SNS, SQS, S3, Secrets Manager), so a subscriber's queue can receive its publisher's topic. */
export function localStack(project: ResolvedProject): DevStandIn {
  return {
    name: DEV_LOCALSTACK,
    image: pinnedImage(project.platform.kubernetes.preview.localstackImage),
    environment: {
      SERVICES: 'sns,sqs,s3,secretsmanager',
      // Queue URLs become http://<host>:4566/<account>/<queue>, as the QUEUE_* variables say.
      SQS_ENDPOINT_STRATEGY: 'off',
      LOCALSTACK_HOST: `${DEV_LOCALSTACK}:${DEV_LOCALSTACK_PORT}`,
      AWS_DEFAULT_REGION: project.platform.cloud.region,
      DISABLE_EVENTS: '1',
    },
    healthcheck: ['curl', '--fail', '--silent', `http://127.0.0.1:${DEV_LOCALSTACK_PORT}/_localstack/health`],
  };
}

/**
 * The one-shot container that creates every service's topics, queues and
 * buckets in LocalStack, then subscribes each queue to its publisher's topic;
 * services start once it has succeeded. Its script holds only names paved
 * derived from validated resource names, each single-quoted.
 */
export function localStackInit(
  project: ResolvedProject,
  services: readonly ResolvedService[],
): { image: string; environment: Record<string, string>; script: string } {
  const region = project.platform.cloud.region;
  // awslocal (in LocalStack's image) reaches the endpoint its environment names.
  const aws = (args: string): string => `awslocal ${args}`;
  const creates = services.flatMap((service) => [
    ...service.resources.topics.map((t) => aws(`sns create-topic --name '${names.snsTopic(service.name, 'preview', t.name)}'`)),
    ...service.resources.subscriptions.flatMap((s) => [
      aws(`sqs create-queue --queue-name '${names.sqsDeadLetterQueue(service.name, 'preview', s.from, s.topic)}'`),
      aws(`sqs create-queue --queue-name '${names.sqsQueue(service.name, 'preview', s.from, s.topic)}'`),
    ]),
    ...service.resources.buckets.map((b) => aws(`s3 mb 's3://${devBucket(service, project, b.name)}'`)),
  ]);
  const published = new Set(services.flatMap((s) => s.resources.topics.map((t) => `${s.name}/${t.name}`)));
  const subscribes = services.flatMap((service) =>
    service.resources.subscriptions
      .filter((s) => published.has(`${s.from}/${s.topic}`))
      .map((s) =>
        aws(
          `sns subscribe --topic-arn '${topicArn(region, names.snsTopic(s.from, 'preview', s.topic))}' --protocol sqs --notification-endpoint '${queueArn(region, names.sqsQueue(service.name, 'preview', s.from, s.topic))}'`,
        ),
      ),
  );
  return {
    image: pinnedImage(project.platform.kubernetes.preview.localstackImage),
    environment: {
      ...DEV_LOCALSTACK_CREDENTIALS,
      AWS_DEFAULT_REGION: region,
      AWS_ENDPOINT_URL: DEV_LOCALSTACK_URL,
      LOCALSTACK_HOST: `${DEV_LOCALSTACK}:${DEV_LOCALSTACK_PORT}`,
    },
    script: ['set -euo pipefail', ...creates, ...subscribes].join('\n'),
  };
}

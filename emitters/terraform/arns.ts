import { awsPartition } from '../../spec/naming.js';

/**
 * ARNs of resources a root does not create, computed from the names paved
 * derives, so a root never reads another root's state to find them.
 */

/** `arn:<partition>:<sns|sqs>:<region>:<account>:<name>`: the ARN of a topic or queue, from its name. */
export const regionalArn = (awsService: 'sns' | 'sqs', region: string, account: string, name: string): string =>
  `arn:${awsPartition(region)}:${awsService}:${region}:${account}:${name}`;

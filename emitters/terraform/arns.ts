/**
 * ARNs of resources a root does not create, computed from the names paved
 * derives, so a root never reads another root's state to find them.
 */

/** The partition of a region's ARNs. */
export function partition(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** `arn:<partition>:<sns|sqs>:<region>:<account>:<name>`: the ARN of a topic or queue, from its name. */
export const regionalArn = (awsService: 'sns' | 'sqs', region: string, account: string, name: string): string => `arn:${partition(region)}:${awsService}:${region}:${account}:${name}`;

// The key policy credlake's data key needs, as plain JSON: the statements its own key carries
// (encryption=kms) and the whole policy an existing key must have (encryption=kms-existing),
// which synth prints and docs/deploy.md shows. Services that encrypt with the key on their own
// behalf must be admitted by the key policy itself, since an IAM grant cannot reach them.

/** Where the pipeline is deployed. */
export interface KeyPlace {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  /** `amazonaws.com` (`amazonaws.com.cn` in China). */
  readonly urlSuffix?: string;
}

export type KeyPolicyStatement = Record<string, unknown>;

/**
 * The services' statements: CloudWatch Logs encrypts the log groups (and refuses to create them
 * otherwise), scoped by the log group ARN in the encryption context; EventBridge and CloudWatch
 * alarms publish to the encrypted alerts topic, scoped to this account.
 */
export function serviceKeyStatements(place: KeyPlace): KeyPolicyStatement[] {
  const { partition, region, account } = place;
  return [
    {
      Sid: 'CloudWatchLogsEncryptsLogGroups',
      Effect: 'Allow',
      Principal: { Service: `logs.${region}.${place.urlSuffix ?? 'amazonaws.com'}` },
      Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      Resource: '*',
      Condition: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:*`,
        },
      },
    },
    {
      Sid: 'AlertsPublishToEncryptedTopic',
      Effect: 'Allow',
      Principal: { Service: ['events.amazonaws.com', 'cloudwatch.amazonaws.com'] },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': account } },
    },
  ];
}

/**
 * The whole key policy of an existing key: the account's IAM policies may grant the key (the
 * stack grants each role exactly the actions it uses, in its own policy), and the services'
 * statements.
 */
export function existingKeyPolicy(place: KeyPlace): { Version: string; Statement: KeyPolicyStatement[] } {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AccountIamPoliciesGrantTheKey',
        Effect: 'Allow',
        Principal: { AWS: `arn:${place.partition}:iam::${place.account}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
      ...serviceKeyStatements(place),
    ],
  };
}

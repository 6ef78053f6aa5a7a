// Glue database and tables derived from transforms/schema.ts, a partition index on dt, and the
// Athena workgroup with one named query per catalog entry, read from the .sql files at synth.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Aws, Stack } from 'aws-cdk-lib';
import { CfnNamedQuery, CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { glueColumns, gluePartitionKeys, PARQUET_FORMAT, tableLocation } from '../lake/glue-table.ts';
import { type BenchmarkId, CATALOG, DEFAULT_BENCHMARK } from '../queries/catalog.ts';
import { withBenchmark } from '../queries/sql-params.ts';
import { querySql } from '../queries/summary-sql.ts';
import { TABLES } from '../transforms/schema.ts';
import { acknowledge } from './nag.ts';
import { DEFAULTS } from './settings.ts';
import { ATHENA_RESULTS_PREFIX } from './storage.ts';

export const DATABASE_NAME = 'credlake';
export const WORKGROUP_NAME = 'credlake';
const QUERIES_DIR = join(import.meta.dirname, '..', 'queries');

export interface AthenaGlueProps {
  /** The lake: table locations and the workgroup's result location. */
  readonly bucket: IBucket;
  /**
   * Encrypts Athena's query results.
   * @default - S3 managed keys
   */
  readonly key?: IKey;
  /**
   * The workgroup's per-query scan limit, in MB.
   * @default 10240
   */
  readonly bytesScannedCutoffMb?: number;
  /**
   * The benchmark whose thresholds and rules the named queries hold.
   * @default 'cis-5.0'
   */
  readonly benchmark?: BenchmarkId;
}

export class AthenaGlue extends Construct {
  readonly database: CfnDatabase;
  readonly tables: CfnTable[] = [];
  readonly workgroup: CfnWorkGroup;
  readonly namedQueries: Record<string, CfnNamedQuery> = {};

  constructor(scope: Construct, id: string, props: AthenaGlueProps) {
    super(scope, id);
    const { bucket, key } = props;
    this.database = new CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: {
        name: DATABASE_NAME,
        description: 'credlake: IAM credential reports of the organization',
      },
    });
    for (const table of Object.values(TABLES)) {
      const cfn = new CfnTable(this, `Table-${table.name}`, {
        catalogId: Aws.ACCOUNT_ID,
        databaseName: DATABASE_NAME,
        tableInput: {
          name: table.name,
          description: table.description,
          tableType: 'EXTERNAL_TABLE',
          parameters: { classification: 'parquet', 'partition_filtering.enabled': 'true', EXTERNAL: 'TRUE' },
          partitionKeys: gluePartitionKeys(table).map((c) => ({
            name: c.Name,
            type: c.Type,
            comment: c.Comment,
          })),
          storageDescriptor: {
            columns: glueColumns(table).map((c) => ({ name: c.Name, type: c.Type, comment: c.Comment })),
            location: tableLocation(bucket.bucketName, '', table),
            inputFormat: PARQUET_FORMAT.inputFormat,
            outputFormat: PARQUET_FORMAT.outputFormat,
            serdeInfo: {
              serializationLibrary: PARQUET_FORMAT.serde,
              parameters: { 'serialization.format': '1' },
            },
          },
        },
      });
      cfn.addResourceDependency(this.database);
      this.tables.push(cfn);
      const index = new AwsCustomResource(this, `PartitionIndex-${table.name}`, {
        onCreate: {
          service: 'Glue',
          action: 'createPartitionIndex',
          parameters: {
            DatabaseName: DATABASE_NAME,
            TableName: table.name,
            PartitionIndex: { IndexName: 'by_dt', Keys: ['dt'] },
          },
          physicalResourceId: PhysicalResourceId.of(`${table.name}-by_dt`),
        },
        policy: AwsCustomResourcePolicy.fromSdkCalls({
          resources: [
            Stack.of(this).formatArn({ service: 'glue', resource: 'catalog' }),
            Stack.of(this).formatArn({ service: 'glue', resource: 'database', resourceName: DATABASE_NAME }),
            Stack.of(this).formatArn({
              service: 'glue',
              resource: 'table',
              resourceName: `${DATABASE_NAME}/${table.name}`,
            }),
          ],
        }),
        installLatestAwsSdk: false,
      });
      index.node.addDependency(cfn);
    }
    // The AwsCustomResource provider is one Lambda for the stack, called at deploy time only.
    const provider = Stack.of(this).node.tryFindChild(
      AwsCustomResource.PROVIDER_FUNCTION_UUID.replaceAll('-', '').replace(/^/, 'AWS'),
    );
    if (provider) {
      acknowledge(provider, {
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]':
          'CDK-managed provider of AwsCustomResource, run only at deploy time to create the Glue partition indexes; it needs only basic logging',
      });
    }
    this.workgroup = new CfnWorkGroup(this, 'WorkGroup', {
      name: WORKGROUP_NAME,
      description: 'credlake saved queries and exports',
      state: 'ENABLED',
      recursiveDeleteOption: false,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery:
          (props.bytesScannedCutoffMb ?? DEFAULTS.bytesScannedCutoffMb) * 1024 * 1024,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${bucket.bucketName}/${ATHENA_RESULTS_PREFIX}`,
          encryptionConfiguration: key
            ? { encryptionOption: 'SSE_KMS', kmsKey: key.keyArn }
            : { encryptionOption: 'SSE_S3' },
        },
      },
    });
    for (const query of CATALOG) {
      const named = new CfnNamedQuery(this, `Query-${query.name}`, {
        name: query.name,
        description: `${query.title}: ${query.description}`.slice(0, 1024),
        database: DATABASE_NAME,
        workGroup: WORKGROUP_NAME,
        queryString: withBenchmark(
          query,
          querySql(query.name, (n) => readFileSync(join(QUERIES_DIR, `${n}.sql`), 'utf8')),
          props.benchmark ?? DEFAULT_BENCHMARK,
        ),
      });
      named.addResourceDependency(this.workgroup);
      this.namedQueries[query.name] = named;
    }
  }
}

import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { TABLE_DEFINITION } from '../../shared/directory/table';

/**
 * The directory: the single DynamoDB table, with keys and GSIs from `TABLE_DEFINITION` (the same
 * definition the local stack creates DynamoDB Local's table from, so the two cannot drift).
 *
 * It holds every site's people and seats: on-demand, point-in-time recovery, deletion protection
 * and retained when the stack goes away.
 */
export class DirectoryTable extends Table {
  constructor(scope: Construct, id: string) {
    const { partitionKey, sortKey, ttlAttribute, globalSecondaryIndexes } = TABLE_DEFINITION;
    super(scope, id, {
      partitionKey: { name: partitionKey, type: AttributeType.STRING },
      sortKey: { name: sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      encryption: TableEncryption.AWS_MANAGED,
      // Audit events, idempotency records and stale work expire through this attribute.
      timeToLiveAttribute: ttlAttribute,
    });
    for (const index of globalSecondaryIndexes) {
      this.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }
  }
}

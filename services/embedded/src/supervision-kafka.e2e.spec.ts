import { describeSupervision } from './testing/supervision-suite';

describeSupervision('Kafka (the mock broker)', true);

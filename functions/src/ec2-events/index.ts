export { createEc2EventsHandler, type Ec2EventsHandlerDeps } from './handler';
export { secretsManagerEventsKey, type EventsKeySource } from './events-key';
export { parseEc2StateChange, type Ec2StateChange } from './state-change-event';

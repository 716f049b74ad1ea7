// The component's entry file: connects EmailList to the importer world.
import { importer } from '@custode/plugin-sdk/world';
import { EmailList } from './email-list.js';

export const { plugin, source } = importer(EmailList);

// The component's entry file: connects the importer to the importer world.
import { importer } from '@custode/plugin-sdk/world';
import { Importer } from './importer.js';

export const { plugin, source } = importer(Importer);

// The component's entry file: connects the exporter to the exporter world.
import { exporter } from '@custode/plugin-sdk/world';
import { Exporter } from './exporter.js';

export const { plugin, render } = exporter(Exporter);

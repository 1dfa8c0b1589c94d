/** Thin handler: ConceptMap/$translate with the R4 and R5 parameter names (RUNNING.md §6). */
import type { ConceptMap } from 'fhir/r4';
import { InvalidRequestError, NotFoundError } from '../../errors.js';
import { translate } from '../../terminology/conceptmaps/translate.js';
import type { OperationHandler } from './types.js';
import { requestContext, type EngineOptions } from './request-context.js';

export function translateHandler(engine: EngineOptions): OperationHandler {
  return async (req) => {
    const rc = requestContext(engine, req);
    const { params, ctx } = rc;
    const coding = params.coding('coding') ?? params.coding('sourceCoding') ?? params.codeableConcept('codeableConcept')?.coding?.[0] ?? params.codeableConcept('sourceCodeableConcept')?.coding?.[0];
    const targetCode = params.string('targetCode');
    const targetCoding = params.coding('targetCoding');
    let reverse = params.boolean('reverse') === true;
    let code = coding?.code ?? params.firstString('code', 'sourceCode');
    let system = coding?.system ?? params.firstString('system', 'sourceSystem');
    let targetSystem = params.firstString('targetsystem', 'targetSystem');
    if (code === undefined && (targetCode !== undefined || targetCoding)) {
      // R5: targetCode/targetCoding ask "what maps to this?", i.e. a reverse translation.
      reverse = true;
      code = targetCoding?.code ?? targetCode;
      system = targetCoding?.system ?? params.string('targetSystem');
      targetSystem = params.string('sourceSystem');
    }
    if (code === undefined) throw new InvalidRequestError('A code to translate is required (code, coding, codeableConcept, sourceCode or targetCode)', { code: 'required', expression: ['code'] });
    let maps: ConceptMap[];
    if (req.id !== undefined) {
      const cm = ctx.resolver.byId('ConceptMap', req.id) as ConceptMap | undefined;
      if (!cm) throw new NotFoundError(`ConceptMap/${req.id} not found`);
      maps = [cm];
    } else {
      const url = params.string('url');
      if (url) {
        const cm = ctx.resolver.findConceptMap(url, params.string('conceptMapVersion'));
        if (!cm) throw new NotFoundError(`A definition for the ConceptMap '${url}' could not be found`);
        maps = [cm];
      } else {
        const source = params.firstString('source', 'sourceScope');
        const target = params.firstString('target', 'targetScope');
        maps = (ctx.resolver.all('ConceptMap') as ConceptMap[]).filter((m) => {
          const ms = m.sourceUri ?? m.sourceCanonical;
          const mt = m.targetUri ?? m.targetCanonical;
          if (source && ms && ms !== source) return false;
          if (target && mt && mt !== target) return false;
          return true;
        });
      }
    }
    return translate({ maps, system, code, targetSystem, reverse });
  };
}

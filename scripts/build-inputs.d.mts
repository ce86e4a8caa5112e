export declare const ROOT: string;
export declare const BUILD_INFO: string;
export declare const INPUTS: readonly string[];
export declare function inputsHash(): string | undefined;

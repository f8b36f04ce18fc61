// The few parts of react-native-webview this package uses, so it builds without React Native
// installed. Apps compile against the real package's types: this file is not published.
declare module "react-native-webview" {
  import type { Component } from "react";

  export interface WebViewMessageEvent {
    nativeEvent: { data: string; url: string };
  }
  export interface WebViewProps {
    source?: { uri: string };
    style?: unknown;
    accessibilityLabel?: string;
    injectedJavaScriptBeforeContentLoaded?: string;
    onMessage?: (event: WebViewMessageEvent) => void;
    [prop: string]: unknown;
  }
  export class WebView extends Component<WebViewProps> {}
  export default WebView;
}
